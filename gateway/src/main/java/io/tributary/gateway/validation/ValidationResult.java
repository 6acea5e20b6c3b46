package io.tributary.gateway.validation;

import io.tributary.gateway.RejectReason;
import java.util.Objects;

/** The verdict on a telemetry payload. */
public sealed interface ValidationResult {

    /**
     * The payload is a usable batch of {@code readings} readings (at least one), reporting {@code droppedReadings}
     * readings its device had to drop (the batch's {@code dropped_readings}, an unsigned 64-bit count).
     */
    record Valid(int readings, long droppedReadings) implements ValidationResult {
        public Valid {
            if (readings < 1) {
                throw new IllegalArgumentException("a valid batch holds at least one reading, got " + readings);
            }
        }
    }

    /** The payload is refused for {@code reason}; {@code detail} says why in words. */
    record Invalid(RejectReason reason, String detail) implements ValidationResult {
        public Invalid {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
