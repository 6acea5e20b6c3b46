package io.tributary.processor;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.processor.config.ProcessorConfig;
import io.tributary.processor.metrics.AtomicProcessorMetrics;
import io.tributary.processor.metrics.ProcessorMetrics;
import io.tributary.processor.writer.InfluxPointWriter;
import io.tributary.processor.writer.InfluxReadingsWriter;
import io.tributary.processor.writer.KafkaDeadLetterPublisher;

/**
 * The cloud processor: today the InfluxDB readings writer ({@link InfluxReadingsWriter}) on its own thread.
 *
 * <pre>{@code
 * try (Processor processor = new Processor(config)) {
 *     processor.start();
 *     ...
 * }
 * }</pre>
 */
public final class Processor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Processor.class);

    /** Kafka consumer settings the writer's guarantees depend on: overrides cannot change them. */
    private static final Map<String, String> FIXED_CONSUMER_SETTINGS = Map.of(
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");

    private final ProcessorConfig config;
    private final AtomicProcessorMetrics metrics = new AtomicProcessorMetrics();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Object lifecycle = new Object();

    // Written under lifecycle.
    private volatile State state = State.NEW;
    private InfluxReadingsWriter writer;
    private Thread thread;

    private enum State { NEW, RUNNING, CLOSED }

    public Processor(ProcessorConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Connects the clients and starts the writer thread; returns at once.
     *
     * @throws IllegalStateException if already started or closed
     * @throws org.apache.kafka.common.KafkaException if the Kafka clients cannot be created from the config
     */
    public void start() {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("Processor already " + state.name().toLowerCase());
            }
            log.info("Starting processor [{}]", config);
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(config));
            KafkaProducer<byte[], byte[]> producer;
            InfluxPointWriter pointWriter;
            try {
                producer = new KafkaProducer<>(producerProperties(config));
            } catch (RuntimeException e) {
                consumer.close();
                throw e;
            }
            try {
                pointWriter = new InfluxPointWriter(config.influxUrl(), config.influxToken(), config.influxOrg(),
                        config.influxBucket(), config.influxRequestTimeout());
            } catch (RuntimeException e) {
                consumer.close();
                producer.close();
                throw e;
            }
            Duration clientCloseTimeout = config.closeTimeout().dividedBy(3);
            writer = new InfluxReadingsWriter(consumer, config.telemetryTopic(), pointWriter,
                    new KafkaDeadLetterPublisher(producer, config.deadLetterTopic(),
                            config.influxRequestTimeout().multipliedBy(3), clientCloseTimeout),
                    new InfluxReadingsWriter.Settings(config.maxPointsPerWrite(), config.pollTimeout(),
                            config.retryBackoffInitial(), config.retryBackoffMax(), clientCloseTimeout),
                    metrics, Clock.systemUTC());
            thread = new Thread(this::runWriter, "tributary-influx-writer");
            state = State.RUNNING;
            thread.start();
        }
    }

    /** The writer's counters; live, readable from any thread. */
    public ProcessorMetrics metrics() {
        return metrics;
    }

    /** Whether the writer thread is running (started, not yet stopped by close() or a fatal error). */
    public boolean isRunning() {
        return stopped.getCount() > 0 && state == State.RUNNING;
    }

    /** The error that stopped the writer thread, if it stopped on its own. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * Blocks until the writer thread has stopped (after {@link #close()} or a fatal error).
     *
     * @return false if it did not stop within the timeout
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops the writer: the InfluxDB write in flight finishes and is committed, or is abandoned uncommitted; then the
     * Kafka clients and the InfluxDB client are closed. Waits at most {@code closeTimeout} (plus a short grace after
     * interrupting the thread). Idempotent; safe from any thread, including a shutdown hook.
     */
    @Override
    public void close() {
        Thread toJoin;
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                return;
            }
            boolean wasRunning = state == State.RUNNING;
            state = State.CLOSED;
            if (!wasRunning) {
                stopped.countDown();
                return;
            }
            writer.shutdown();
            toJoin = thread;
        }
        if (Thread.currentThread() == toJoin) {
            return; // close() from the writer thread itself (e.g. a callback): it stops on its own
        }
        try {
            toJoin.join(config.closeTimeout().toMillis());
            if (toJoin.isAlive()) {
                log.warn("Writer thread still busy after {}: interrupting it; its unfinished write stays "
                        + "uncommitted", config.closeTimeout());
                toJoin.interrupt();
                toJoin.join(Duration.ofSeconds(2).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runWriter() {
        try {
            writer.run();
        } catch (Throwable t) {
            if (state == State.CLOSED) {
                log.warn("Readings writer interrupted while closing: {}", t.toString());
                return;
            }
            failure.set(t);
            log.error("Readings writer stopped on an unexpected error; no offsets beyond the written data were "
                    + "committed", t);
        } finally {
            stopped.countDown();
        }
    }

    static Properties consumerProperties(ProcessorConfig config) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.consumerGroup() + "-consumer");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.putAll(config.consumerOverrides());
        props.putAll(FIXED_CONSUMER_SETTINGS);
        return props;
    }

    static Properties producerProperties(ProcessorConfig config) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, config.consumerGroup() + "-deadletter");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(config.influxRequestTimeout().toMillis()));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(config.influxRequestTimeout().toMillis()));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                Long.toString(config.influxRequestTimeout().multipliedBy(2).toMillis()));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.putAll(config.producerOverrides());
        return props;
    }
}
