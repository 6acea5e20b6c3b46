package io.tributary.localstack.kafka;

import io.tributary.localstack.LocalStackException;
import io.tributary.localstack.support.ChildGuardian;
import io.tributary.localstack.support.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
public final class KafkaCluster implements LocalKafka {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** Small heaps: three nodes share a small machine with the pipeline. */
    private static final List<String> JVM_OPTIONS = List.of("-Xms32m", "-Xmx384m", "-XX:+UseSerialGC");

    private final List<Node> nodes;
    private final String bootstrapServers;
    private final Map<String, Object> adminProperties;
    private Admin admin;
    private boolean closed;

    /** One node's process; {@code guardian} is null while the node is down. */
    private static final class Node {
        final int id;
        final List<String> command;
        final Path log;
        final Path ready;
        ChildGuardian guardian;

        Node(int id, List<String> command, Path log, Path ready) {
            this.id = id;
            this.command = command;
            this.log = log;
            this.ready = ready;
        }
    }

    private KafkaCluster(List<Node> nodes, String bootstrapServers, Map<String, Object> adminProperties) {
        this.nodes = nodes;
        this.bootstrapServers = bootstrapServers;
        this.adminProperties = adminProperties;
    }

    /** {@code brokers} nodes with their data under {@code dir} (created if missing, reused if formatted before). */
    public static KafkaCluster start(Path dir, int brokers) {
        return start(dir, brokers, Map.of());
    }

    /** As {@link #start(Path, int)}; {@code overrides} replace or add broker properties on every node. */
    public static KafkaCluster start(Path dir, int brokers, Map<String, String> overrides) {
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
        List<Integer> free = FreePorts.loopback(2 * brokers);
        List<BrokerProperties.Ports> ports = new ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            ports.add(new BrokerProperties.Ports(free.get(2 * i), free.get(2 * i + 1), 0));
        }
        String clusterId = Uuid.randomUuid().toString();
        List<Node> nodes = new ArrayList<>();
        for (int id = 1; id <= brokers; id++) {
            Properties props = BrokerProperties.of(root.resolve("node-" + id), id, ports, overrides);
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
        KafkaCluster cluster = new KafkaCluster(List.copyOf(nodes), bootstrap, Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "local-stack-admin",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KafkaTopics.ADMIN_TIMEOUT.toMillis()));
        try {
            nodes.forEach(KafkaCluster::launch);
            nodes.forEach(KafkaCluster::awaitReady);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        LOG.info("Kafka cluster ready [brokers: {}, bootstrap: {}, dir: {}, startMs: {}]", brokers, bootstrap, root,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return cluster;
    }

    private static void launch(Node node) {
        try {
            Files.deleteIfExists(node.ready);
        } catch (IOException e) {
            throw new LocalStackException("could not remove " + node.ready, e);
        }
        node.guardian = ChildGuardian.start(node.command, Map.of(), node.log, null);
    }

    private static void awaitReady(Node node) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(node.ready)) {
            if (!node.guardian.isChildAlive()) {
                throw new LocalStackException("Kafka node " + node.id + " exited during start: see " + node.log);
            }
            if (System.nanoTime() > deadline) {
                throw new LocalStackException("Kafka node " + node.id + " not ready after " + START_TIMEOUT
                        + ": see " + node.log);
            }
            KafkaTopics.pause(50);
        }
    }

    /** {@code 127.0.0.1:PORT,...}: every node's client listener. */
    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Node ids, {@code 1..n}. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(n -> n.id).toList();
    }

    /** The node's JVM while it runs. */
    public synchronized Optional<ProcessHandle> process(int nodeId) {
        ChildGuardian guardian = node(nodeId).guardian;
        return guardian == null ? Optional.empty() : guardian.child().filter(ProcessHandle::isAlive);
    }

    @Override
    public void createTopics(int partitions, String... names) {
        KafkaTopics.create(admin(), partitions, names);
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
        Node node = node(nodeId);
        if (node.guardian == null) {
            throw new IllegalStateException("Kafka node " + nodeId + " is not running");
        }
        Optional<ProcessHandle> process = node.guardian.child();
        process.ifPresent(ProcessHandle::destroyForcibly);
        node.guardian.close(); // reaps the killed JVM: until then it is a zombie, alive to ProcessHandle
        process.ifPresent(p -> KafkaTopics.get("wait for Kafka node " + nodeId + " to die",
                () -> p.onExit().get(30, TimeUnit.SECONDS)));
        node.guardian = null;
        LOG.info("Kafka node killed (SIGKILL) [node: {}]", nodeId);
    }

    /** Starts a killed node again (same ports, same data) and returns once it serves clients. */
    public synchronized void restart(int nodeId) {
        Node node = node(nodeId);
        if (node.guardian != null) {
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

    private synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("Kafka cluster is closed");
        }
        if (admin == null) {
            admin = Admin.create(new HashMap<>(adminProperties));
        }
        return admin;
    }

    /** Stops every node (SIGTERM, all at once; SIGKILL after a grace period) and waits; the data is left. */
    @Override
    public void close() {
        List<ChildGuardian> running;
        Admin toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = admin;
            running = nodes.stream().map(n -> n.guardian).filter(g -> g != null).toList();
            nodes.forEach(n -> n.guardian = null);
        }
        if (toClose != null) {
            toClose.close(Duration.ofSeconds(5));
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
        LOG.info("Kafka cluster stopped [bootstrap: {}]", bootstrapServers);
    }
}
