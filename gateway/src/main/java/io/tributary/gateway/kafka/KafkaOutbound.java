package io.tributary.gateway.kafka;

import io.tributary.contract.Topics;
import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.outbound.TelemetrySink;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's Kafka output: one idempotent {@code acks=all} producer, the telemetry path on a
 * {@link HandOverRecordSender} and every other record on vertx-kafka-client ({@link VertxKafkaRecordSender}), both
 * charged to one {@link InFlightAccounting}, behind one {@link TelemetrySink}. Also keeps the topics' metadata warm
 * and closes it all.
 */
public final class KafkaOutbound {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaOutbound.class);
    private static final Duration KEEP_WARM_INTERVAL = Duration.ofMinutes(1);

    private final Producer<String, byte[]> producer;
    private final InFlightAccounting accounting;
    private final HandOverRecordSender handOver;
    private final KafkaTelemetrySink sink;
    private final Topics topics;
    private final Vertx vertx;
    private long keepWarmTimer = -1;

    private KafkaOutbound(Vertx vertx, Producer<String, byte[]> producer, GatewayConfig config,
            GatewayMetrics metrics) {
        this.vertx = vertx;
        this.producer = producer;
        this.topics = config.topics();
        this.accounting = new InFlightAccounting(
                new InFlightLimits(config.maxInFlightBytes(), config.pauseReadingAtBytes()), metrics);
        // Telemetry on the hand-over sender: it waits in place, in order, for lost topic metadata until the delivery
        // timeout, which vertx-kafka-client's send cannot (docs/adr/0005)
        this.handOver = new HandOverRecordSender(producer, accounting, config.kafkaDeliveryTimeout());
        this.sink = new KafkaTelemetrySink(topics, config.deadLetterMaxPayloadBytes(), handOver,
                new VertxKafkaRecordSender(vertx, producer, accounting));
    }

    public static KafkaOutbound create(Vertx vertx, GatewayConfig config, GatewayMetrics metrics) {
        return new KafkaOutbound(vertx, new KafkaProducer<>(ProducerSettings.from(config)), config, metrics);
    }

    /** The producer, for its client metrics. */
    public Producer<?, ?> producer() {
        return producer;
    }

    public TelemetrySink sink() {
        return sink;
    }

    public long inFlightRecords() {
        return accounting.inFlightRecords();
    }

    /** Fetches the topics' metadata, retrying until {@code timeout}; blocks. Else {@link KafkaUnavailableException}. */
    public void warmUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String topic : topics.ingest()) {
            RuntimeException last = null;
            while (true) {
                try {
                    List<PartitionInfo> partitions = producer.partitionsFor(topic);
                    if (!partitions.isEmpty()) {
                        LOG.debug("Kafka topic ready [topic: {}, partitions: {}]", topic, partitions.size());
                        break;
                    }
                } catch (RetriableException e) {
                    last = e;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new KafkaUnavailableException("Kafka did not provide metadata for topic '" + topic
                            + "' within " + timeout.toMillis() + " ms (is Kafka reachable and the topic created?)",
                            last);
                }
            }
        }
    }

    /**
     * Touches the topics' metadata every minute, on a worker, until {@link #stopKeepWarm()}: the producer forgets
     * topics idle for {@code metadata.max.idle.ms}, and the next send on a quiet gateway would block to fetch it again.
     */
    public synchronized void startKeepWarm() {
        keepWarmTimer = vertx.setPeriodic(KEEP_WARM_INTERVAL.toMillis(), t -> vertx.<Void>executeBlocking(() -> {
            for (String topic : topics.ingest()) {
                try {
                    producer.partitionsFor(topic);
                } catch (KafkaException | IllegalStateException e) {
                    LOG.warn("Could not refresh Kafka metadata [topic: {}]: {}", topic, e.toString());
                }
            }
            return null;
        }, false).onFailure(e -> LOG.warn("Kafka metadata refresh failed", e)));
    }

    public synchronized void stopKeepWarm() {
        vertx.cancelTimer(keepWarmTimer);
    }

    /** Stops the hand-over, flushes and closes the producer, waiting at most {@code timeout}. Blocks; idempotent. */
    public void close(Duration timeout) {
        handOver.close(timeout);
        producer.close(timeout);
    }
}
