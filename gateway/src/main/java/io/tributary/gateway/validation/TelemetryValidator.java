package io.tributary.gateway.validation;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tributary.contract.ContractViolation;
import io.tributary.contract.InputContract;
import io.tributary.contract.SensorCardinality;
import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.RejectReason;
import io.tributary.proto.v1.ReadingBatch;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Checks a telemetry payload before it may go to Kafka: at most the maximum size, a {@link ReadingBatch} naming the
 * device of the topic, at least one reading, keeping the {@link InputContract} and the device's sensor cardinality
 * ({@link SensorCardinality}). A batch that breaks the contract is refused whole with a detail naming the reading and
 * the rule.
 *
 * <p>A payload is first walked on the wire ({@link BatchWireScan}), which proves the usual valid batch without building
 * it; only what that walk cannot prove is parsed in full, which decides and words the refusal. Thread-safe: one
 * instance serves every event loop (the cardinality it tracks is per gateway).
 */
public record TelemetryValidator(int maxPayloadBytes, InputContract contract, SensorCardinality cardinality,
        LongSupplier clockUnixNanos, GatewayMetrics metrics) {

    /** The gateway's clock in Unix epoch nanoseconds (millisecond resolution: the window is minutes wide). */
    public static final LongSupplier SYSTEM_CLOCK = () -> System.currentTimeMillis() * 1_000_000L;

    public TelemetryValidator {
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive, got " + maxPayloadBytes);
        }
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(cardinality, "cardinality");
        Objects.requireNonNull(clockUnixNanos, "clockUnixNanos");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** A validator with the default contract, its own cardinality tracker and no metrics. */
    public TelemetryValidator(int maxPayloadBytes) {
        this(maxPayloadBytes, InputContract.DEFAULTS, new SensorCardinality(InputContract.DEFAULTS), SYSTEM_CLOCK,
                GatewayMetrics.NOOP);
    }

    /** The validator of {@code config}, with a fresh cardinality tracker; one per gateway. */
    public static TelemetryValidator of(GatewayConfig config, GatewayMetrics metrics) {
        return new TelemetryValidator(config.maxPayloadBytes(), config.inputContract(),
                new SensorCardinality(config.inputContract()), SYSTEM_CLOCK, metrics);
    }

    /** The size check alone, which applies to every publish, telemetry or not. */
    public Optional<ValidationResult.Invalid> checkSize(int payloadBytes) {
        if (payloadBytes > maxPayloadBytes) {
            return Optional.of(new ValidationResult.Invalid(RejectReason.PAYLOAD_TOO_LARGE,
                    "payload of " + payloadBytes + " bytes exceeds the maximum of " + maxPayloadBytes));
        }
        return Optional.empty();
    }

    /** Validates a payload of {@code topicDeviceId}'s telemetry topic; a valid batch's new sensors are recorded. */
    public ValidationResult validate(String topicDeviceId, byte[] payload) {
        Optional<ValidationResult.Invalid> tooLarge = checkSize(payload.length);
        if (tooLarge.isPresent()) {
            return tooLarge.get();
        }
        long now = clockUnixNanos.getAsLong();
        BatchWireScan.Proven proven = BatchWireScan.prove(payload, topicDeviceId, contract, now,
                cardinality.known(topicDeviceId));
        if (proven != null) {
            return new ValidationResult.Valid(proven.readings(), proven.droppedReadings());
        }
        ValidationResult result = validateByParsing(topicDeviceId, payload, now);
        if (result instanceof ValidationResult.Invalid invalid && invalid.rule() != null) {
            metrics.contractViolated(invalid.rule());
        }
        return result;
    }

    /** The check by a full parse (the size aside): slower, and the one that explains a refusal. */
    ValidationResult validateByParsing(String topicDeviceId, byte[] payload, long nowUnixNanos) {
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
        Optional<ContractViolation> violation = contract.check(batch, nowUnixNanos);
        if (violation.isEmpty()) {
            violation = cardinality.admit(topicDeviceId, batch);
        }
        if (violation.isPresent()) {
            return ValidationResult.Invalid.of(violation.get());
        }
        return new ValidationResult.Valid(batch.getReadingsCount(), batch.getDroppedReadings());
    }

    private static String abbreviate(String text) {
        return text.length() <= 140 ? text : text.substring(0, 140) + "...";
    }
}
