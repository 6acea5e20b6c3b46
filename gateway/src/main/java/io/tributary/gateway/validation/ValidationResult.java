package io.tributary.gateway.validation;

import io.tributary.gateway.RejectReason;
import io.tributary.proto.v1.ReadingBatch;
import java.util.Objects;

/** The verdict on a telemetry payload. */
public sealed interface ValidationResult {

    /** The payload is a usable batch. */
    record Valid(ReadingBatch batch) implements ValidationResult {
        public Valid {
            Objects.requireNonNull(batch, "batch");
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
