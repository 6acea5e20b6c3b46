package io.tributary.gateway.kafka;

import io.tributary.contract.Topics;
import io.tributary.gateway.outbound.OutboundRecord;
import io.tributary.gateway.outbound.SendFailure;
import io.tributary.gateway.outbound.TelemetrySink;
import io.vertx.core.Future;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The Kafka adapter of the {@link TelemetrySink} port: turns each {@link OutboundRecord} into its Kafka record
 * ({@link KafkaRecords}: topic, key, headers, the dead-letter payload cut to size) and sends it, telemetry on
 * {@code telemetrySender}, everything else (status, dead letters, connection events) on {@code eventSender}; maps
 * Kafka's failures to {@link SendFailure}s.
 */
public final class KafkaTelemetrySink implements TelemetrySink {

    private final Topics topics;
    private final int deadLetterMaxPayloadBytes;
    private final RecordSender telemetrySender;
    private final RecordSender eventSender;

    /**
     * @param telemetrySender sends telemetry; its congestion is the sink's
     * @param eventSender sends device status, dead letters and connection events
     */
    public KafkaTelemetrySink(Topics topics, int deadLetterMaxPayloadBytes, RecordSender telemetrySender,
            RecordSender eventSender) {
        if (deadLetterMaxPayloadBytes < 0) {
            throw new IllegalArgumentException("deadLetterMaxPayloadBytes must not be negative, got "
                    + deadLetterMaxPayloadBytes);
        }
        this.topics = Objects.requireNonNull(topics, "topics");
        this.deadLetterMaxPayloadBytes = deadLetterMaxPayloadBytes;
        this.telemetrySender = Objects.requireNonNull(telemetrySender, "telemetrySender");
        this.eventSender = Objects.requireNonNull(eventSender, "eventSender");
    }

    /** Both kinds of record on one sender (tests, and a gateway that measures one sender alone). */
    public KafkaTelemetrySink(Topics topics, int deadLetterMaxPayloadBytes, RecordSender sender) {
        this(topics, deadLetterMaxPayloadBytes, sender, sender);
    }

    @Override
    public Future<Void> send(OutboundRecord record) {
        RecordSender sender = record instanceof OutboundRecord.Telemetry ? telemetrySender : eventSender;
        return sender.send(toKafka(record)).transform(result -> result.succeeded() ? Future.succeededFuture()
                : Future.failedFuture(failure(result.cause())));
    }

    @Override
    public boolean congested() {
        return telemetrySender.congested();
    }

    @Override
    public void whenDecongested(Runnable resumer) {
        telemetrySender.whenDecongested(resumer);
    }

    ProducerRecord<String, byte[]> toKafka(OutboundRecord record) {
        if (record instanceof OutboundRecord.Telemetry t) {
            return KafkaRecords.telemetry(topics.telemetry(), t.deviceId(), t.payload());
        }
        if (record instanceof OutboundRecord.DeviceStatus s) {
            return KafkaRecords.status(topics.deviceStatus(), s.deviceId(), s.mqttTopic(), s.payload());
        }
        if (record instanceof OutboundRecord.DeadLetter d) {
            return KafkaRecords.deadLetter(topics.deadLetter(), d.deviceId(), d.mqttTopic(), d.reason(), d.detail(),
                    d.rule(), d.payload(), deadLetterMaxPayloadBytes);
        }
        OutboundRecord.ConnectionEvent e = (OutboundRecord.ConnectionEvent) record;
        return KafkaRecords.statusEvent(topics.deviceStatus(), e.deviceId(), e.event().code(), e.time(),
                e.gatewayId(), e.detail());
    }

    static SendFailure failure(Throwable error) {
        if (error instanceof SendFailure failure) {
            return failure;
        }
        if (error instanceof GatewayOverloadedException) {
            return new SendFailure(SendFailure.Kind.OVERLOADED, error.getMessage(), error);
        }
        if (error instanceof KafkaException && !(error instanceof RetriableException)) {
            return new SendFailure(SendFailure.Kind.REJECTED, "Kafka refused the record: " + error, error);
        }
        // Timeouts, lost connections, a sender closed while shutting down: the same record may succeed later.
        return new SendFailure(SendFailure.Kind.UNAVAILABLE, "Kafka did not take the record: " + error, error);
    }
}
