package io.tributary.localstack.kafka;

import io.tributary.localstack.LocalStackException;
import io.tributary.localstack.support.ChildGuardian;
import io.tributary.localstack.support.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local KRaft cluster of {@code n} combined broker + controller nodes (an {@code n}-voter quorum), each its own JVM
 * ({@link BrokerMain}, same java and classpath as this one), so a node can be killed with SIGKILL and started again:
 * what a broker failure looks like to clients. Topics get replication factor 3 and min.insync.replicas 2 from three
 * nodes on. Each node runs under a {@link ChildGuardian}, so it stops when this JVM dies.
 *
 * <pre>{@code
 * try (KafkaCluster cluster = KafkaCluster.start(dir, 3)) {
 *     cluster.createTopics(3, "tributary.telemetry");
 *     int victim = cluster.leaderOfMostPartitions("tributary.telemetry");
 *     cluster.kill(victim);       // kill -9, returns once the process is gone
 *     cluster.restart(victim);    // same ports and data, returns once it serves clients again
 *     cluster.awaitInSync("tributary.telemetry");
 * }
 * }</pre>
 */
public final class KafkaCluster extends LocalKafka {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** Small heaps: three nodes share a small machine with the pipeline. */
    private static final List<String> JVM_OPTIONS = List.of("-Xms32m", "-Xmx384m", "-XX:+UseSerialGC");

    private final List<Node> nodes;
    /** Each node's guardian, by node id - 1; null while the node is down. */
    private final ChildGuardian[] guardians;
    private final KafkaSecurity security;

    /** One node's process: how to start it, its log and the file it writes once it serves clients. */
    private record Node(int id, List<String> command, Path log, Path ready) {
    }

    private KafkaCluster(List<Node> nodes, String bootstrapServers, Map<String, Object> connection,
            KafkaSecurity security) {
        super(bootstrapServers, connection);
        this.nodes = nodes;
        this.guardians = new ChildGuardian[nodes.size()];
        this.security = security;
    }

    /** {@code brokers} nodes with their data under {@code dir} (created if missing, reused if formatted before). */
    public static KafkaCluster start(Path dir, int brokers) {
        return start(dir, brokers, false, Map.of());
    }

    /**
     * As {@link #start(Path, int)}; {@code secure}: clients need TLS + SCRAM and ACLs (see {@link #grantRoles});
     * {@code overrides} replace or add broker properties on every node.
     */
    public static KafkaCluster start(Path dir, int brokers, boolean secure, Map<String, String> overrides) {
        if (brokers < 1) {
            throw new IllegalArgumentException("brokers must be >= 1, got " + brokers);
        }
        long started = System.nanoTime();
        Path root = dir.toAbsolutePath();
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new LocalStackException("could not create the Kafka cluster dir " + root, e);
        }
        KafkaSecurity security = secure ? KafkaSecurity.create(root.resolve("secure")) : null;
        int perNode = secure ? 3 : 2;
        List<Integer> free = FreePorts.loopback(perNode * brokers);
        List<BrokerProperties.Ports> ports = IntStream.range(0, brokers).mapToObj(i -> new BrokerProperties.Ports(
                free.get(perNode * i), free.get(perNode * i + 1), secure ? free.get(perNode * i + 2) : 0)).toList();
        String clusterId = Uuid.randomUuid().toString();
        List<Node> nodes = new ArrayList<>();
        for (int id = 1; id <= brokers; id++) {
            Map<String, String> nodeOverrides = new HashMap<>(secure ? security.brokerOverrides(ports.get(id - 1))
                    : Map.of());
            nodeOverrides.putAll(overrides);
            Properties props = BrokerProperties.of(root.resolve("node-" + id), id, ports, nodeOverrides);
            BrokerProperties.format(root.resolve("node-" + id), props, clusterId);
            Path file = root.resolve("node-" + id + ".properties");
            BrokerProperties.write(props, file);
            Path ready = root.resolve("node-" + id + ".ready");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(JVM_OPTIONS);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BrokerMain.class.getName(),
                    file.toString(), ready.toString()));
            nodes.add(new Node(id, List.copyOf(command), root.resolve("node-" + id + ".log"), ready));
        }
        String bootstrap = ports.stream().map(p -> "127.0.0.1:" + p.client()).collect(Collectors.joining(","));
        Map<String, Object> connection = secure ? security.adminProperties(ports.stream()
                .map(p -> "127.0.0.1:" + p.internal()).collect(Collectors.joining(","))) : Map.of();
        KafkaCluster cluster = new KafkaCluster(List.copyOf(nodes), bootstrap, connection, security);
        try {
            nodes.forEach(cluster::launch);
            nodes.forEach(cluster::awaitReady);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        LOG.info("Kafka cluster ready [brokers: {}, secure: {}, bootstrap: {}, dir: {}, startMs: {}]", brokers, secure,
                bootstrap, root,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return cluster;
    }

    private void launch(Node node) {
        try {
            Files.deleteIfExists(node.ready());
        } catch (IOException e) {
            throw new LocalStackException("could not remove " + node.ready(), e);
        }
        guardians[node.id() - 1] = ChildGuardian.start(node.command(), Map.of(), node.log(), null);
    }

    private void awaitReady(Node node) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(node.ready())) {
            if (!guardians[node.id() - 1].isChildAlive()) {
                throw new LocalStackException("Kafka node " + node.id() + " exited during start: see " + node.log());
            }
            if (System.nanoTime() > deadline) {
                throw new LocalStackException("Kafka node " + node.id() + " not ready after " + START_TIMEOUT
                        + ": see " + node.log());
            }
            KafkaTopics.pause(50);
        }
    }

    /**
     * Secured clusters: sets a new SCRAM password for each role (gateway, processor, operator), grants each role's
     * ACLs on {@code topics}, and returns role → its client properties file (plus {@code admin} → the stack's own).
     */
    public Map<String, Path> grantRoles(io.tributary.contract.Topics topics) {
        if (security == null) {
            throw new IllegalStateException("the Kafka cluster is not secured");
        }
        return security.grantRoles(admin(), adminProperties(), bootstrapServers(), topics);
    }

    /** Node ids, {@code 1..n}. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(Node::id).toList();
    }

    /** The node's JVM while it runs. */
    public synchronized Optional<ProcessHandle> process(int nodeId) {
        ChildGuardian guardian = guardians[node(nodeId).id() - 1];
        return guardian == null ? Optional.empty() : guardian.child().filter(ProcessHandle::isAlive);
    }

    /** The node leading the most partitions of {@code topic} (the lowest id among equals). */
    public int leaderOfMostPartitions(String topic) {
        Map<Integer, Long> led = describe(topic).partitions().stream()
                .filter(p -> p.leader() != null && !p.leader().isEmpty())
                .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
        return led.entrySet().stream()
                .max(Map.Entry.<Integer, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey(
                        Comparator.reverseOrder())))
                .map(Map.Entry::getKey)
                .orElseThrow(() -> new LocalStackException("topic " + topic + " has no partition leader"));
    }

    /** Partition → leader node id (-1 without a leader). */
    public Map<Integer, Integer> leaders(String topic) {
        return describe(topic).partitions().stream().collect(Collectors.toMap(TopicPartitionInfo::partition,
                p -> p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id()));
    }

    /** Kills the node's JVM with SIGKILL (no shutdown of any kind) and returns once it is gone. */
    public synchronized void kill(int nodeId) {
        ChildGuardian guardian = guardians[node(nodeId).id() - 1];
        if (guardian == null) {
            throw new IllegalStateException("Kafka node " + nodeId + " is not running");
        }
        Optional<ProcessHandle> process = guardian.child();
        process.ifPresent(ProcessHandle::destroyForcibly);
        guardian.close(); // reaps the killed JVM: until then it is a zombie, alive to ProcessHandle
        process.ifPresent(p -> KafkaTopics.get("wait for Kafka node " + nodeId + " to die",
                () -> p.onExit().get(30, TimeUnit.SECONDS)));
        guardians[nodeId - 1] = null;
        LOG.info("Kafka node killed (SIGKILL) [node: {}]", nodeId);
    }

    /** Starts a killed node again (same ports, same data) and returns once it serves clients. */
    public synchronized void restart(int nodeId) {
        Node node = node(nodeId);
        if (guardians[nodeId - 1] != null) {
            throw new IllegalStateException("Kafka node " + nodeId + " is running");
        }
        long started = System.nanoTime();
        launch(node);
        awaitReady(node);
        LOG.info("Kafka node restarted [node: {}, startMs: {}]", nodeId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Waits until every partition of the topics has all its replicas in sync (after a restart: caught up). */
    public void awaitInSync(String... topics) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!List.of(topics).stream().map(this::describe).flatMap(d -> d.partitions().stream())
                .allMatch(p -> p.isr().size() == p.replicas().size())) {
            if (System.nanoTime() > deadline) {
                throw new LocalStackException("topics " + List.of(topics) + " not in sync after " + START_TIMEOUT);
            }
            KafkaTopics.pause(100);
        }
    }

    private TopicDescription describe(String topic) {
        return KafkaTopics.get("describe topic " + topic, () -> admin().describeTopics(List.of(topic))
                .allTopicNames().get(KafkaTopics.ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).get(topic);
    }

    private Node node(int nodeId) {
        if (nodeId < 1 || nodeId > nodes.size()) {
            throw new IllegalArgumentException("no Kafka node " + nodeId + " (1.." + nodes.size() + ")");
        }
        return nodes.get(nodeId - 1);
    }

    /** Stops every node (SIGTERM, all at once; SIGKILL after a grace period) and waits; the data is left. */
    @Override
    public void close() {
        if (!closeAdmin()) {
            return;
        }
        List<ChildGuardian> running;
        synchronized (this) {
            running = Arrays.stream(guardians).filter(Objects::nonNull).toList();
            Arrays.fill(guardians, null);
        }
        // All at once: stopped one by one, the last nodes would wait for a quorum that is gone.
        List<Thread> stopping = running.stream().map(g -> new Thread(g::close, "kafka-node-stop")).toList();
        stopping.forEach(Thread::start);
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.info("Kafka cluster stopped [bootstrap: {}]", bootstrapServers());
    }
}
