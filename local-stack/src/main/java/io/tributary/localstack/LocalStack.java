package io.tributary.localstack;

import io.tributary.contract.Topics;
import io.tributary.contract.registry.RegistryTopics;
import io.tributary.localstack.influx.InfluxV2WriteEndpoint;
import io.tributary.localstack.influx.ManagedInfluxd;
import io.tributary.localstack.kafka.EmbeddedKafka;
import io.tributary.localstack.kafka.KafkaCluster;
import io.tributary.localstack.kafka.LocalKafka;
import io.tributary.localstack.support.ChildGuardian;
import io.tributary.localstack.support.Directories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the demo, the integration tests and the benchmarks need, started by one call and ready when it returns:
 * an in-JVM Kafka broker ({@link EmbeddedKafka}) or a cluster of broker processes ({@link KafkaCluster}), influxd 1.6 ({@link ManagedInfluxd}) and the InfluxDB v2 write
 * endpoint in front of it ({@link InfluxV2WriteEndpoint}).
 *
 * <p>Nothing is left behind: {@link #close()} stops everything and removes a temp data dir; a JVM shutdown hook does the
 * same on normal exit, SIGTERM and Ctrl-C; and if the JVM is killed outright, a {@link ChildGuardian} shell process
 * notices its stdin pipe closing, stops influxd and removes the temp dir.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.start()) {
 *     stack.createTopics(3, "tributary.telemetry");
 *     ... stack.kafkaBootstrapServers(), stack.influxUrl(), stack.influxToken(), stack.influxOrg(), stack.influxBucket()
 * }
 * }</pre>
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    static final String INFLUX_TOKEN = "local-stack";
    static final String INFLUX_ORG = "tributary";

    private final LocalStackOptions options;
    private final Path dataDir;
    private final boolean temporary;
    private final Thread shutdownHook;
    private LocalKafka kafka;
    private ManagedInfluxd influxd;
    private InfluxV2WriteEndpoint endpoint;
    private ChildGuardian dirGuardian;
    private boolean closed;

    private LocalStack(LocalStackOptions options, Path dataDir, boolean temporary) {
        this.options = options;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.shutdownHook = new Thread(this::closeFromHook, "local-stack-shutdown");
    }

    /** Kafka and InfluxDB in a fresh temp dir, bucket {@code telemetry}. */
    public static LocalStack start() {
        return start(LocalStackOptions.defaults());
    }

    public static LocalStack start(LocalStackOptions options) {
        long started = System.nanoTime();
        boolean temporary = options.dataDir() == null;
        Path dataDir;
        try {
            dataDir = temporary ? Files.createTempDirectory("tributary-local-stack-")
                    : Files.createDirectories(options.dataDir()).toAbsolutePath();
        } catch (IOException e) {
            throw new LocalStackException("could not create the local stack data dir", e);
        }
        LocalStack stack = new LocalStack(options, dataDir, temporary);
        Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
        try {
            stack.startParts();
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        LOG.info("Local stack ready [startMs: {}, kafka: {}, influx: {}, influxDirect: {}, dataDir: {}]",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                stack.kafka == null ? "-" : stack.kafka.bootstrapServers(),
                stack.endpoint == null ? "-" : stack.endpoint.url(),
                stack.influxd == null ? "-" : stack.influxd.url(), dataDir);
        return stack;
    }

    private void startParts() {
        Path removeOnExit = temporary ? dataDir : null;
        CompletableFuture<ManagedInfluxd> influxStart = null;
        if (options.startInflux()) {
            // influxd starts in well under a second, Kafka in a few: start it alongside.
            ManagedInfluxd.Config config = ManagedInfluxd.Config.of(dataDir.resolve("influxdb"))
                    .withRemoveOnExit(removeOnExit);
            influxStart = CompletableFuture.supplyAsync(() -> ManagedInfluxd.start(config), runnable -> {
                Thread thread = new Thread(runnable, "local-stack-influxd-start");
                thread.setDaemon(true);
                thread.start();
            });
        } else if (temporary) {
            dirGuardian = ChildGuardian.start(List.of(), Map.of(), null, removeOnExit);
        }
        RuntimeException failure = null;
        if (options.startKafka()) {
            try {
                kafka = options.kafkaBrokers() == 1 && !options.kafkaSecure()
                        ? EmbeddedKafka.start(dataDir.resolve("kafka"))
                        : KafkaCluster.start(dataDir.resolve("kafka"), options.kafkaBrokers(), options.kafkaSecure(),
                                Map.of());
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (influxStart != null) {
            try {
                influxd = influxStart.join();
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
                        : new LocalStackException("influxd start failed", e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        if (influxd != null) {
            influxd.createDatabase(options.influxBucket());
            endpoint = InfluxV2WriteEndpoint.start(influxd.url());
        }
    }

    /** {@code 127.0.0.1:PORT[,...]}: every broker. */
    public String kafkaBootstrapServers() {
        return require(kafka, "Kafka", "startKafka").bootstrapServers();
    }

    /** Base URL of the v2-write-capable compatibility endpoint, {@code http://127.0.0.1:PORT}: give this to clients. */
    public String influxUrl() {
        require(influxd, "InfluxDB", "startInflux");
        return endpoint.url();
    }

    /** Base URL of influxd itself (1.x HTTP API: {@code /query}, {@code /write}, {@code /ping}). */
    public String influxDirectUrl() {
        return require(influxd, "InfluxDB", "startInflux").url();
    }

    /** A placeholder token: influxd runs without auth, clients just need a non-empty one. */
    public String influxToken() {
        return INFLUX_TOKEN;
    }

    public String influxOrg() {
        return INFLUX_ORG;
    }

    /** The database/bucket created at start. */
    public String influxBucket() {
        return options.influxBucket();
    }

    /**
     * Creates topics (replication factor 3 and min.insync.replicas 2 from three brokers on, else one copy per broker)
     * and waits for their leaders; existing topics are fine.
     */
    public void createTopics(int partitions, String... names) {
        require(kafka, "Kafka", "startKafka").createTopics(partitions, names);
    }

    /**
     * A secured Kafka ({@link LocalStackOptions#kafkaSecure}), where only the stack may create topics: creates all the
     * pipeline's topics ({@code partitions} each; the registry's one, compacted), grants each role its ACLs and returns
     * role (gateway, processor, operator; admin = the stack's own super user) → its client properties file.
     */
    public Map<String, Path> secureKafka(Topics topics, int partitions) {
        KafkaCluster cluster = kafkaCluster().filter(c -> options.kafkaSecure())
                .orElseThrow(() -> new IllegalStateException("Kafka is not secured (LocalStackOptions.kafkaSecure)"));
        List<String> names = new ArrayList<>(topics.ingest());
        names.addAll(List.of(topics.rollups(), topics.alerts()));
        cluster.createTopics(partitions, names.toArray(String[]::new));
        RegistryTopics.forPrefix(topics.prefix()).ensureExist(cluster.adminProperties(), 30_000);
        return cluster.grantRoles(topics);
    }

    /** The broker processes, when started with more than one broker or secured (to kill and restart one). */
    public Optional<KafkaCluster> kafkaCluster() {
        return require(kafka, "Kafka", "startKafka") instanceof KafkaCluster cluster ? Optional.of(cluster)
                : Optional.empty();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The influxd process, while it runs (for tests that check nothing is left behind). */
    public Optional<ProcessHandle> influxdProcess() {
        return influxd == null ? Optional.empty() : influxd.process();
    }

    /** {@code part}, started as {@code option} says, while the stack is open. */
    private synchronized <T> T require(T part, String name, String option) {
        if (closed) {
            throw new IllegalStateException("local stack is closed");
        }
        if (part == null) {
            throw new IllegalStateException(name + " is not started (LocalStackOptions." + option + " is false)");
        }
        return part;
    }

    /** Stops everything and removes a temp data dir; idempotent. */
    @Override
    public void close() {
        if (closeParts()) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already; the hook finds the stack closed
            }
        }
    }

    private void closeFromHook() {
        closeParts();
    }

    private synchronized boolean closeParts() {
        if (closed) {
            return false;
        }
        closed = true;
        long started = System.nanoTime();
        closeQuietly("InfluxDB v2 write endpoint", endpoint);
        closeQuietly("Kafka", kafka);
        closeQuietly("influxd", influxd);
        closeQuietly("guardian", dirGuardian);
        if (temporary) {
            closeQuietly("temp dir", () -> Directories.deleteRecursively(dataDir));
        }
        LOG.info("Local stack stopped [stopMs: {}, dataDir: {}, removed: {}]",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataDir, temporary);
        return true;
    }

    private static void closeQuietly(String what, AutoCloseable part) {
        try {
            if (part != null) {
                part.close();
            }
        } catch (Exception e) {
            LOG.warn("Could not stop {} cleanly", what, e);
        }
    }
}
