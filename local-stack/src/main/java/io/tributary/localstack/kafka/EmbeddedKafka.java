package io.tributary.localstack.kafka;

import io.tributary.localstack.LocalStackException;
import io.tributary.localstack.support.FreePorts;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, combined broker + controller) inside this JVM, on free loopback ports, with its data in
 * one directory. Configured for one broker (every replication factor 1), a small heap (2 MiB log cleaner buffer), and
 * auto-created single-partition topics ({@link BrokerProperties}). Kafka's internal server APIs are used only here,
 * in {@link BrokerProperties} (storage format) and in {@link BrokerMain}.
 */
public final class EmbeddedKafka extends LocalKafka {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int START_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final Properties properties;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Properties properties) {
        super(bootstrapServers, Map.of());
        this.server = server;
        this.properties = properties;
    }

    /** Starts a broker with its data in {@code dataDir} (created if missing, reused if already formatted). */
    public static EmbeddedKafka start(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir");
        Path dir = dataDir.toAbsolutePath();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            List<Integer> ports = FreePorts.loopback(2);
            Properties props = BrokerProperties.of(dir, 1,
                    List.of(new BrokerProperties.Ports(ports.get(0), ports.get(1), 0)), Map.of());
            String bootstrap = "127.0.0.1:" + ports.get(0);
            long started = System.nanoTime();
            KafkaRaftServer server = null;
            try {
                BrokerProperties.format(dir, props, Uuid.randomUuid().toString());
                server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
                server.startup();
                LOG.info("Kafka ready [bootstrap: {}, dataDir: {}, startMs: {}]", bootstrap, dir,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return new EmbeddedKafka(server, bootstrap, props);
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
        String bootstrapServers = bootstrapServers();
        KafkaRaftServer restarted = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
        try {
            restarted.startup();
        } catch (RuntimeException e) {
            stop(restarted);
            throw new LocalStackException("could not restart the embedded Kafka broker on " + bootstrapServers, e);
        }
        LOG.info("Kafka restarted [bootstrap: {}, startMs: {}]", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return new EmbeddedKafka(restarted, bootstrapServers, properties);
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

    /** Stops the broker and waits for it; idempotent. The data dir is left for the owner to delete. */
    @Override
    public void close() {
        if (!closeAdmin()) {
            return;
        }
        long started = System.nanoTime();
        stop(server);
        LOG.info("Kafka stopped [bootstrap: {}, stopMs: {}]", bootstrapServers(),
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
