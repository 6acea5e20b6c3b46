package io.tributary.gateway.validation;

import io.tributary.contract.ContractRule;
import io.tributary.contract.ContractViolation;
import io.tributary.gateway.RejectReason;
import java.util.Objects;

public sealed interface ValidationResult {

    /** A usable batch of at least one reading, reporting its unsigned 64-bit {@code dropped_readings}. */
    record Valid(int readings, long droppedReadings) implements ValidationResult {
        public Valid {
            if (readings < 1) {
                throw new IllegalArgumentException("a valid batch holds at least one reading, got " + readings);
            }
        }
    }

    /** Refused for {@code reason}; {@code rule}: the broken contract rule ({@link RejectReason#CONTRACT_VIOLATION}). */
    record Invalid(RejectReason reason, String detail, ContractRule rule) implements ValidationResult {
        public Invalid {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
            if ((reason == RejectReason.CONTRACT_VIOLATION) != (rule != null)) {
                throw new IllegalArgumentException("a contract rule goes with, and only with, a contract violation: "
                        + reason + ", " + rule);
            }
        }

        public Invalid(RejectReason reason, String detail) {
            this(reason, detail, null);
        }

        public static Invalid of(ContractViolation violation) {
            return new Invalid(RejectReason.CONTRACT_VIOLATION, violation.detail(), violation.rule());
        }
    }
}
