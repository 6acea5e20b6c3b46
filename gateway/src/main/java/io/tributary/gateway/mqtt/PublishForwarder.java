package io.tributary.gateway.mqtt;

import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.RejectReason;
import io.tributary.gateway.outbound.OutboundRecord;
import io.tributary.gateway.outbound.SendFailure;
import io.tributary.gateway.outbound.TelemetrySink;
import io.tributary.gateway.routing.PublishRoute;
import io.tributary.gateway.routing.PublishRouter;
import io.tributary.gateway.validation.TelemetryValidator;
import io.tributary.gateway.validation.ValidationResult;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What happens to one device's accepted PUBLISH: routed by topic, validated, handed to the {@link TelemetrySink}
 * (telemetry and device status) or kept as a dead letter, each outcome told as the {@link AckOutcome} the device is
 * to get. Counted and logged by reason. Lives on its connection's event loop.
 */
final class PublishForwarder {

    private final String deviceId;
    /** This device's telemetry topic and route: nearly every PUBLISH, so routed without parsing the topic. */
    private final String telemetryTopic;
    private final PublishRoute telemetryRoute;
    private final TelemetrySink sink;
    private final TelemetryValidator validator;
    private final GatewayMetrics metrics;
    private final RateLimitedLog deviceEvents;

    PublishForwarder(String deviceId, TelemetrySink sink, TelemetryValidator validator, GatewayMetrics metrics,
            RateLimitedLog deviceEvents) {
        this.deviceId = deviceId;
        this.telemetryTopic = PublishRouter.telemetryTopic(deviceId);
        this.telemetryRoute = new PublishRoute.Telemetry(deviceId);
        this.sink = sink;
        this.validator = validator;
        this.metrics = metrics;
        this.deviceEvents = deviceEvents;
    }

    void forward(String topic, byte[] payload, Consumer<AckOutcome> answer) {
        PublishRoute route = telemetryTopic.equals(topic) ? telemetryRoute : PublishRouter.route(deviceId, topic);
        if (route instanceof PublishRoute.Refused refused) {
            answer.accept(reject(refused.reason(), refused.detail()));
            return;
        }
        Optional<ValidationResult.Invalid> tooLarge = validator.checkSize(payload.length);
        if (tooLarge.isPresent()) {
            deadLetter(topic, tooLarge.get(), payload, answer);
            return;
        }
        if (!(route instanceof PublishRoute.Telemetry)) {
            send(new OutboundRecord.DeviceStatus(deviceId, topic, payload), "status",
                    () -> metrics.count(Counted.STATUS_ACCEPTED), answer);
            return;
        }
        ValidationResult result = validator.validate(deviceId, payload);
        if (result instanceof ValidationResult.Invalid invalid) {
            deadLetter(topic, invalid, payload, answer);
            return;
        }
        ValidationResult.Valid valid = (ValidationResult.Valid) result;
        send(new OutboundRecord.Telemetry(deviceId, payload), "telemetry", () -> {
            metrics.count(Counted.TELEMETRY_ACCEPTED);
            metrics.count(Counted.READINGS_ACCEPTED, valid.readings());
            if (valid.droppedReadings() > 0) {
                metrics.count(Counted.DEVICE_DROPPED_READINGS, valid.droppedReadings());
            }
        }, answer);
    }

    /** Refuses without dead-lettering: topic refusals carry no payload worth keeping. */
    AckOutcome reject(RejectReason reason, String detail) {
        metrics.rejected(reason);
        deviceEvents.log("Publish rejected: " + reason.code(), deviceId, detail);
        return AckOutcome.rejected(reason, detail);
    }

    private void send(OutboundRecord record, String what, Runnable accepted, Consumer<AckOutcome> answer) {
        sink.send(record).onComplete(result -> {
            if (result.succeeded()) {
                accepted.run();
                answer.accept(AckOutcome.SUCCESS);
            } else {
                answer.accept(sendFailure(result.cause(), "forward " + what));
            }
        });
    }

    /** Refuses and dead-letters a payload; if the sink refuses the dead letter, the device gets a retryable error. */
    private void deadLetter(String topic, ValidationResult.Invalid invalid, byte[] payload,
            Consumer<AckOutcome> answer) {
        metrics.rejected(invalid.reason());
        deviceEvents.log("Publish rejected: " + invalid.reason().code(), deviceId, invalid.detail());
        sink.send(new OutboundRecord.DeadLetter(deviceId, topic, invalid.reason(), invalid.detail(), invalid.rule(),
                payload)).onComplete(result -> {
                    if (result.succeeded()) {
                        answer.accept(AckOutcome.deadLettered(invalid.reason(), invalid.detail()));
                    } else {
                        metrics.count(Counted.DEADLETTER_FAILURES);
                        answer.accept(sendFailure(result.cause(), "dead-letter"));
                    }
                });
    }

    private AckOutcome sendFailure(Throwable cause, String what) {
        if (SendFailure.is(cause, SendFailure.Kind.OVERLOADED)) {
            metrics.rejected(RejectReason.GATEWAY_OVERLOADED);
            deviceEvents.log("Publish refused: gateway overloaded", deviceId, cause.getMessage());
            return AckOutcome.rejected(RejectReason.GATEWAY_OVERLOADED, "gateway overloaded, retry later");
        }
        metrics.count(Counted.KAFKA_SEND_FAILURES);
        deviceEvents.log("Kafka send failed", deviceId, what + ": " + cause);
        return new AckOutcome.PubAck(MqttPubAckReasonCode.UNSPECIFIED_ERROR, "not stored, retry later", false);
    }
}
