package io.tributary.localstack.kafka;

import io.tributary.localstack.LocalStackException;
import io.tributary.localstack.support.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, combined broker + controller) inside this JVM, on free loopback ports, with its data in
 * one directory. Configured for one broker (every replication factor 1), a small heap (2 MiB log cleaner buffer), and
 * auto-created single-partition topics. This is the only class that touches Kafka's internal server APIs.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final int START_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;
    private final Properties properties;
    private Admin admin;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path dataDir, Properties properties) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.properties = properties;
    }

    /** Starts a broker with its data in {@code dataDir} (created if missing, reused if already formatted). */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    /**
     * Starts a broker; {@code overrides} replace or add broker properties (ports and directories are chosen here).
     */
    public static EmbeddedKafka start(Path dataDir, Map<String, String> overrides) {
        Objects.requireNonNull(dataDir, "dataDir");
        Path dir = dataDir.toAbsolutePath();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            List<Integer> ports = FreePorts.loopback(2);
            Properties props = brokerProperties(dir, ports.get(0), ports.get(1), overrides);
            String bootstrap = "127.0.0.1:" + ports.get(0);
            long started = System.nanoTime();
            KafkaRaftServer server = null;
            try {
                format(dir, props);
                server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
                server.startup();
                LOG.info("Kafka ready [bootstrap: {}, dataDir: {}, startMs: {}]", bootstrap, dir,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return new EmbeddedKafka(server, bootstrap, dir, props);
            } catch (RuntimeException e) {
                last = e;
                if (server != null) {
                    stop(server);
                }
                if (!isBindFailure(e)) {
                    break;
                }
                LOG.info("Kafka lost a port race, retrying [attempt: {}]", attempt);
            }
        }
        throw new LocalStackException("could not start the embedded Kafka broker in " + dir + ": " + last, last);
    }

    /**
     * Stops this broker (if it still runs) and starts a new one on the same ports with the same data: Kafka going away
     * and coming back, as clients see it.
     */
    public EmbeddedKafka restart() {
        close();
        long started = System.nanoTime();
        KafkaRaftServer restarted = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
        try {
            restarted.startup();
        } catch (RuntimeException e) {
            stop(restarted);
            throw new LocalStackException("could not restart the embedded Kafka broker on " + bootstrapServers, e);
        }
        LOG.info("Kafka restarted [bootstrap: {}, startMs: {}]", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return new EmbeddedKafka(restarted, bootstrapServers, dataDir, properties);
    }

    static Properties brokerProperties(Path dir, int brokerPort, int controllerPort, Map<String, String> overrides) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("log.dirs", dir.resolve("logs").toString());
        config.put("metadata.log.dir", dir.resolve("metadata").toString());
        // One broker: every internal topic with replication factor 1, or consumer groups / transactions hang silently.
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "5");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("share.coordinator.state.topic.num.partitions", "1");
        config.put("default.replication.factor", "1");
        config.put("min.insync.replicas", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("auto.create.topics.enable", "true");
        config.put("num.partitions", "1");
        // The default 128 MiB dedupe buffer dominates a small heap.
        config.put("log.cleaner.dedupe.buffer.size", "2097152");
        config.put("delete.topic.enable", "true");
        config.putAll(overrides);
        Properties props = new Properties();
        props.putAll(config);
        return props;
    }

    private static void format(Path dir, Properties props) {
        if (Files.exists(dir.resolve("metadata").resolve("meta.properties"))) {
            LOG.info("Kafka storage already formatted, reusing it [dir: {}]", dir);
            return;
        }
        try {
            Files.createDirectories(dir);
            Path propertiesFile = dir.resolve("server.properties");
            try (Writer writer = Files.newBufferedWriter(propertiesFile, StandardCharsets.UTF_8)) {
                props.store(writer, "tributary local-stack embedded Kafka");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int code;
            try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                code = StorageTool.execute(new String[] {"format", "-t",
                        Uuid.randomUuid().toString(), "-c", propertiesFile.toString()}, out);
            }
            String text = output.toString(StandardCharsets.UTF_8).trim();
            if (code != 0) {
                throw new LocalStackException("Kafka storage format failed (exit " + code + "): " + text);
            }
            LOG.debug("Kafka storage formatted [dir: {}, output: {}]", dir, text);
        } catch (IOException e) {
            throw new LocalStackException("could not prepare Kafka data dir " + dir, e);
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof java.net.BindException || message.contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    /** {@code 127.0.0.1:PORT}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * Creates topics with replication factor 1 and waits until every partition has a leader; a topic that exists
     * already is fine (its partition count is left as it is).
     */
    public void createTopics(int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        if (names.length == 0) {
            return;
        }
        Admin client = admin();
        List<NewTopic> topics = new ArrayList<>();
        for (String name : Set.copyOf(List.of(names))) {
            topics.add(new NewTopic(name, partitions, (short) 1));
        }
        CreateTopicsResult result = client.createTopics(topics);
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> entry : result.values().entrySet()) {
            try {
                entry.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new LocalStackException("could not create topic " + entry.getKey() + ": " + e.getCause(),
                            e.getCause());
                }
            } catch (TimeoutException e) {
                throw new LocalStackException("timed out creating topic " + entry.getKey(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalStackException("interrupted creating topic " + entry.getKey(), e);
            }
        }
        awaitLeaders(client, List.of(names));
    }

    private static void awaitLeaders(Admin client, List<String> names) {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> descriptions = client.describeTopics(names).allTopicNames()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                boolean ready = descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new LocalStackException("could not describe topics " + names + ": " + e.getCause(),
                            e.getCause());
                }
            } catch (TimeoutException e) {
                throw new LocalStackException("timed out describing topics " + names, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalStackException("interrupted waiting for topics " + names, e);
            }
            if (System.nanoTime() > deadline) {
                throw new LocalStackException("topics " + names + " have no leader after " + ADMIN_TIMEOUT);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalStackException("interrupted waiting for topics " + names, e);
            }
        }
    }

    private synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("embedded Kafka is closed");
        }
        if (admin == null) {
            Map<String, Object> config = Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.CLIENT_ID_CONFIG, "local-stack-admin",
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
            admin = Admin.create(config);
        }
        return admin;
    }

    /** Stops the broker and waits for it; idempotent. The data dir is left for the owner to delete. */
    @Override
    public void close() {
        Admin toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = admin;
            admin = null;
        }
        if (toClose != null) {
            toClose.close(Duration.ofSeconds(5));
        }
        long started = System.nanoTime();
        stop(server);
        LOG.info("Kafka stopped [bootstrap: {}, stopMs: {}]", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private static void stop(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Kafka broker shutdown failed", e);
        }
    }
}
