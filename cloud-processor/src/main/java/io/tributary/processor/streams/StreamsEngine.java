package io.tributary.processor.streams;

import io.tributary.common.KafkaClientConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.processor.alert.RuleSet;

/**
 * Runs the topology of {@link ProcessorTopology} in a {@link KafkaStreams} instance with {@code exactly_once_v2}.
 * Instances with the same application id share the telemetry partitions; a task moving to another instance restores
 * its stores from the changelog topics, so rollups and alerts continue where they were, without duplicates.
 */
public final class StreamsEngine {

    private static final Logger log = LoggerFactory.getLogger(StreamsEngine.class);

    /** {@code kafka}: bootstrap servers and client properties (e.g. security), under the engine's own settings;
     * {@code stateDir} null = a temp directory removed on close; {@code overrides} are applied last. */
    public record Settings(KafkaClientConfig kafka, String applicationId, Path stateDir, Duration commitInterval,
            int threads, Map<String, String> overrides) {
        public Settings {
            Objects.requireNonNull(kafka, "kafka");
            Objects.requireNonNull(applicationId, "applicationId");
            overrides = Map.copyOf(overrides);
        }
    }

    private final KafkaStreams streams;
    private final Path stateDir;
    private final boolean ownStateDir;
    private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;

    public StreamsEngine(Settings settings, TopologySettings topologySettings, Supplier<RuleSet> rules,
            StreamsListener listener) {
        try {
            this.ownStateDir = settings.stateDir() == null;
            this.stateDir = ownStateDir ? Files.createTempDirectory("tributary-streams-") : settings.stateDir();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a Streams state directory: " + e.getMessage(), e);
        }
        Properties props = properties(settings, stateDir);
        props.put(DataErrorHandlers.LISTENER_CONFIG, listener);
        streams = new KafkaStreams(ProcessorTopology.build(topologySettings, rules, listener), props);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("Streams thread failed; replacing it (its tasks restart from the last commit, EOS keeps "
                    + "results exactly-once)", e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((newState, oldState) -> {
            state = newState;
            log.info("Streams state {} -> {}", oldState, newState);
        });
    }

    static Properties properties(Settings settings, Path stateDir) {
        Properties p = new Properties();
        p.putAll(settings.kafka().clientProperties());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(settings.commitInterval().toMillis()));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(settings.threads()));
        // -1 = the broker's default.replication.factor: 1 on a single dev broker, 3 on a production cluster.
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "-1");
        p.put(StreamsConfig.DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        // No record may stop the processor: a record whose processing throws, or an output Kafka refuses for its
        // content, is skipped with a count (the stream thread would otherwise fail on it again after every restart).
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DataErrorHandlers.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DataErrorHandlers.class.getName());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Fetch 64 KiB or wait 25 ms rather than fetch again after every produce request of the gateway: a quarter of
        // the broker's and the processor's CPU at 25,000 readings/s, for at most 25 ms more before an alert.
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), "65536");
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "25");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "5");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        p.putAll(settings.overrides());
        return p;
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams.State state() {
        return state;
    }

    /** RUNNING: all tasks assigned and restored. */
    public boolean isReady() {
        return state == KafkaStreams.State.RUNNING;
    }

    public boolean hasFailed() {
        return state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR;
    }

    /** The Kafka client metrics of this instance (consumer lag, commit rates, ...). */
    public Map<MetricName, ? extends Metric> metrics() {
        return streams.metrics();
    }

    /** Micrometer's binder of this instance's client metrics (close it with the instance). */
    public io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics meterBinder() {
        return new io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics(streams);
    }

    /** Closes the instance (finishing the current commit) and removes a temp state directory. */
    public void close(Duration timeout) {
        boolean closed = streams.close(timeout);
        if (!closed) {
            log.warn("Streams did not close within {}", timeout);
        }
        if (ownStateDir) {
            try {
                streams.cleanUp();
            } catch (RuntimeException e) {
                log.debug("Streams cleanUp failed: {}", e.toString());
            }
            deleteRecursively(stateDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            log.debug("Could not remove the Streams state dir {}: {}", dir, e.toString());
        }
    }
}
