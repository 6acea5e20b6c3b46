package io.tributary.gateway.testing;

import io.tributary.contract.Topics;
import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.kafka.KafkaTelemetrySink;
import io.tributary.gateway.kafka.RecordSender;
import io.tributary.gateway.outbound.TelemetrySink;

/** The real Kafka adapter over a test's {@link RecordSender}, on the topics {@code t.telemetry}, ... */
public final class TestSinks {

    /** The topics the MQTT component tests look for. */
    public static final Topics TOPICS = new Topics("t.");

    private TestSinks() {
    }

    public static TelemetrySink kafka(RecordSender sender) {
        return kafka(sender, GatewayConfig.DEFAULT_DEADLETTER_MAX_PAYLOAD_BYTES);
    }

    public static TelemetrySink kafka(RecordSender sender, int deadLetterMaxPayloadBytes) {
        return new KafkaTelemetrySink(TOPICS, deadLetterMaxPayloadBytes, sender);
    }
}
