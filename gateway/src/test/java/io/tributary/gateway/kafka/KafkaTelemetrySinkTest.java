package io.tributary.gateway.kafka;

import io.tributary.contract.KafkaHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contract.ContractRule;
import io.tributary.contract.Topics;
import io.tributary.gateway.RejectReason;
import io.tributary.gateway.outbound.OutboundRecord;
import io.tributary.gateway.outbound.SendFailure;
import io.tributary.gateway.testing.ControlledRecordSender;
import io.tributary.gateway.testing.ControlledRecordSender.Mode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KafkaTelemetrySinkTest {

    private static final Topics TOPICS = new Topics("t.");

    private final ControlledRecordSender telemetry = new ControlledRecordSender();
    private final ControlledRecordSender events = new ControlledRecordSender();
    private final KafkaTelemetrySink sink = new KafkaTelemetrySink(TOPICS, 4, telemetry, events);

    @BeforeEach
    void holdOutcomes() {
        // kept, never completed: these tests look at the records only (outside Vert.x, no context to complete on)
        telemetry.mode(Mode.HOLD);
        events.mode(Mode.HOLD);
    }

    @Test
    void sendsTelemetryKeyedByDeviceOnTheTelemetrySender() {
        byte[] payload = {1, 2, 3};

        sink.send(new OutboundRecord.Telemetry("dev-1", payload));

        assertThat(events.sent()).isEmpty();
        ProducerRecord<String, byte[]> record = telemetry.sent(0).record();
        assertThat(record.topic()).isEqualTo("t.telemetry");
        assertThat(record.key()).isEqualTo("dev-1");
        assertThat(record.value()).isSameAs(payload);
        assertThat(record.headers().toArray()).isEmpty();
    }

    @Test
    void sendsDeviceStatusWithItsMqttTopicOnTheEventSender() {
        sink.send(new OutboundRecord.DeviceStatus("dev-1", "devices/dev-1/status", new byte[] {7}));

        assertThat(telemetry.sent()).isEmpty();
        ProducerRecord<String, byte[]> record = events.sent(0).record();
        assertThat(record.topic()).isEqualTo("t.device-status");
        assertThat(record.key()).isEqualTo("dev-1");
        assertThat(record.value()).containsExactly(7);
        assertThat(header(record, KafkaHeaders.MQTT_TOPIC)).isEqualTo("devices/dev-1/status");
    }

    @Test
    void cutsTheDeadLetterPayloadToTheAdaptersLimitAndNamesTheReasonInHeaders() {
        byte[] payload = "0123456789".getBytes(StandardCharsets.UTF_8);

        sink.send(new OutboundRecord.DeadLetter("dev-1", "devices/dev-1/telemetry", RejectReason.CONTRACT_VIOLATION,
                "reading 0: not finite", ContractRule.VALUE_NOT_FINITE, payload));

        ProducerRecord<String, byte[]> record = events.sent(0).record();
        assertThat(record.topic()).isEqualTo("t.deadletter");
        assertThat(record.key()).isEqualTo("dev-1");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("0123");
        assertThat(header(record, KafkaHeaders.REASON)).isEqualTo("contract-violation");
        assertThat(header(record, KafkaHeaders.REASON_DETAIL)).isEqualTo("reading 0: not finite");
        assertThat(header(record, KafkaHeaders.CONTRACT_RULE)).isEqualTo("value_not_finite");
        assertThat(header(record, KafkaHeaders.DEVICE)).isEqualTo("dev-1");
        assertThat(header(record, KafkaHeaders.MQTT_TOPIC)).isEqualTo("devices/dev-1/telemetry");
        assertThat(header(record, KafkaHeaders.PAYLOAD_BYTES)).isEqualTo("10");
        assertThat(header(record, KafkaHeaders.PAYLOAD_TRUNCATED)).isEqualTo("true");
    }

    @Test
    void writesConnectionEventsAsJsonWithTheEventHeader() {
        Instant time = Instant.parse("2026-12-07T01:00:00Z");

        sink.send(new OutboundRecord.ConnectionEvent("dev-1", OutboundRecord.Event.CONNECTION_LOST, time, "gw-a",
                null));

        ProducerRecord<String, byte[]> record = events.sent(0).record();
        assertThat(record.topic()).isEqualTo("t.device-status");
        assertThat(record.key()).isEqualTo("dev-1");
        assertThat(header(record, KafkaHeaders.EVENT)).isEqualTo("connection-lost");
        JsonObject json = new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
        assertThat(json.getMap()).containsEntry("device", "dev-1").containsEntry("event", "connection-lost")
                .containsEntry("time", "2026-12-07T01:00:00Z").containsEntry("gateway", "gw-a")
                .doesNotContainKey("detail");
    }

    @Test
    void reportsAnOverloadedSenderAsOverloaded() {
        telemetry.mode(Mode.OVERLOAD);

        Future<Void> sent = sink.send(new OutboundRecord.Telemetry("dev-1", new byte[1]));

        assertThat(sent.failed()).isTrue();
        assertThat(SendFailure.is(sent.cause(), SendFailure.Kind.OVERLOADED)).isTrue();
    }

    @Test
    void mapsKafkasErrorsToThePortsFailures() {
        assertThat(KafkaTelemetrySink.failure(new TimeoutException("delivery timed out")).kind())
                .isEqualTo(SendFailure.Kind.UNAVAILABLE);
        assertThat(KafkaTelemetrySink.failure(new IllegalStateException("the Kafka sender is closed")).kind())
                .isEqualTo(SendFailure.Kind.UNAVAILABLE);
        assertThat(KafkaTelemetrySink.failure(new RecordTooLargeException("too large")).kind())
                .isEqualTo(SendFailure.Kind.REJECTED);
        assertThat(KafkaTelemetrySink.failure(new AuthorizationException("no")).kind())
                .isEqualTo(SendFailure.Kind.REJECTED);
        assertThat(KafkaTelemetrySink.failure(new GatewayOverloadedException("full")).kind())
                .isEqualTo(SendFailure.Kind.OVERLOADED);
        TimeoutException cause = new TimeoutException("x");
        assertThat(KafkaTelemetrySink.failure(cause).getCause()).isSameAs(cause);
    }

    @Test
    void isCongestedWhenTheTelemetrySenderIsAndResumesWithIt() {
        AtomicInteger resumed = new AtomicInteger();
        telemetry.congested(true);
        events.congested(false);

        assertThat(sink.congested()).isTrue();
        sink.whenDecongested(resumed::incrementAndGet);
        assertThat(resumed).hasValue(0);

        telemetry.congested(false);
        assertThat(sink.congested()).isFalse();
        assertThat(resumed).hasValue(1);
    }

    private static String header(ProducerRecord<String, byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
