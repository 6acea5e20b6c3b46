package io.tributary.gateway.mqtt;

import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.RejectReason;
import io.tributary.gateway.outbound.OutboundRecord;
import io.tributary.gateway.outbound.TelemetrySink;
import io.tributary.gateway.routing.PublishRouter;
import io.tributary.gateway.validation.TelemetryValidator;
import io.vertx.mqtt.MqttWill;
import java.time.Instant;

/** Reports a connection's events (if {@link MqttListenerSettings#statusEvents()}) and its will; failures are logged. */
record ConnectionReporter(String deviceId, MqttListenerSettings settings, TelemetrySink sink,
        TelemetryValidator validator, GatewayMetrics metrics, RateLimitedLog deviceEvents) {

    void event(OutboundRecord.Event event, String detail) {
        if (!settings.statusEvents()) {
            return;
        }
        sink.send(new OutboundRecord.ConnectionEvent(deviceId, event, Instant.now(), settings.gatewayId(), detail))
                .onComplete(result -> {
                    if (result.failed()) {
                        metrics.count(Counted.KAFKA_SEND_FAILURES);
                        deviceEvents.log("Kafka send failed", deviceId,
                                "status event " + event.code() + ": " + result.cause());
                    }
                });
    }

    /** Publishes the will (no normal DISCONNECT came); only a will on the device's own status topic is taken. */
    void will(MqttWill will) {
        if (will == null || !will.isWillFlag()) {
            return;
        }
        String topic = will.getWillTopic();
        byte[] payload = will.getWillMessage() == null ? new byte[0] : will.getWillMessage().getBytes();
        if (!PublishRouter.statusTopic(deviceId).equals(topic)) {
            metrics.rejected(RejectReason.NOT_AUTHORIZED);
            deviceEvents.log("Will refused", deviceId, "will topic '"
                    + PublishRouter.abbreviate(String.valueOf(topic)) + "' is not the device's status topic");
            return;
        }
        if (validator.checkSize(payload.length).isPresent()) {
            metrics.rejected(RejectReason.PAYLOAD_TOO_LARGE);
            deviceEvents.log("Will refused", deviceId, "will payload of " + payload.length + " bytes too large");
            return;
        }
        sink.send(new OutboundRecord.DeviceStatus(deviceId, topic, payload)).onComplete(result -> {
            if (result.succeeded()) {
                metrics.count(Counted.STATUS_ACCEPTED);
            } else {
                metrics.count(Counted.KAFKA_SEND_FAILURES);
                deviceEvents.log("Kafka send failed", deviceId, "will: " + result.cause());
            }
        });
    }
}
