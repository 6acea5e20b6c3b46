package io.tributary.gateway.validation;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tributary.gateway.RejectReason;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.util.Optional;

/**
 * Checks a telemetry payload before it may go to Kafka: it must be at most the maximum size, parse as a
 * {@link ReadingBatch}, name the device of the topic, and hold at least one reading, each with a sensor name and an
 * event time (they identify the stored point downstream).
 *
 * <p>A payload is first walked on the wire ({@link BatchWireScan}), which proves the usual valid batch without building
 * it; only what that walk cannot prove is parsed in full, which decides and words the refusal.
 */
public final class TelemetryValidator {

    private final int maxPayloadBytes;

    /** @param maxPayloadBytes largest payload accepted */
    public TelemetryValidator(int maxPayloadBytes) {
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive, got " + maxPayloadBytes);
        }
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** The size check alone, which applies to every publish, telemetry or not. */
    public Optional<ValidationResult.Invalid> checkSize(int payloadBytes) {
        if (payloadBytes > maxPayloadBytes) {
            return Optional.of(new ValidationResult.Invalid(RejectReason.PAYLOAD_TOO_LARGE,
                    "payload of " + payloadBytes + " bytes exceeds the maximum of " + maxPayloadBytes));
        }
        return Optional.empty();
    }

    /**
     * Validates a payload published on the telemetry topic of {@code topicDeviceId}.
     *
     * @param topicDeviceId the device id from the MQTT topic
     * @param payload the raw payload
     */
    public ValidationResult validate(String topicDeviceId, byte[] payload) {
        Optional<ValidationResult.Invalid> tooLarge = checkSize(payload.length);
        if (tooLarge.isPresent()) {
            return tooLarge.get();
        }
        BatchWireScan.Proven proven = BatchWireScan.prove(payload, topicDeviceId);
        if (proven != null) {
            return new ValidationResult.Valid(proven.readings(), proven.droppedReadings());
        }
        return validateByParsing(topicDeviceId, payload);
    }

    /** The check by a full parse (the size aside): slower, and the one that explains a refusal. */
    static ValidationResult validateByParsing(String topicDeviceId, byte[] payload) {
        ReadingBatch batch;
        try {
            batch = ReadingBatch.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            return new ValidationResult.Invalid(RejectReason.PAYLOAD_FORMAT_INVALID,
                    "not a ReadingBatch: " + e.getMessage());
        }
        if (!batch.getDeviceId().equals(topicDeviceId)) {
            return new ValidationResult.Invalid(RejectReason.DEVICE_ID_MISMATCH,
                    "batch device_id '" + abbreviate(batch.getDeviceId()) + "' differs from topic device '"
                            + topicDeviceId + "'");
        }
        if (batch.getReadingsCount() == 0) {
            return new ValidationResult.Invalid(RejectReason.EMPTY_BATCH,
                    "batch " + batch.getBatchSeq() + " holds no reading");
        }
        for (int i = 0; i < batch.getReadingsCount(); i++) {
            Reading reading = batch.getReadings(i);
            if (reading.getSensor().isEmpty()) {
                return new ValidationResult.Invalid(RejectReason.PAYLOAD_FORMAT_INVALID,
                        "reading " + i + " of batch " + batch.getBatchSeq() + " has no sensor name");
            }
            if (reading.getEventTimeUnixNanos() <= 0) {
                return new ValidationResult.Invalid(RejectReason.PAYLOAD_FORMAT_INVALID,
                        "reading " + i + " of batch " + batch.getBatchSeq() + " has no event time");
            }
        }
        return new ValidationResult.Valid(batch.getReadingsCount(), batch.getDroppedReadings());
    }

    private static String abbreviate(String text) {
        return text.length() <= 140 ? text : text.substring(0, 140) + "...";
    }
}
