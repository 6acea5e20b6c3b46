package io.tributary.processor.writer;

import java.util.List;

/** What one telemetry record becomes: points to write, or a reason to dead-letter it. */
public sealed interface MappedRecord {

    /** The record decoded into points (possibly none). */
    record Points(String deviceId, List<LinePoint> points) implements MappedRecord {
        public Points {
            points = List.copyOf(points);
        }
    }

    /**
     * The record cannot be stored: {@code deviceId} as far as it is known (may be empty), {@code reason} a
     * {@link DeadLetterReason} code, {@code contractRule} the input-contract rule broken, or null.
     */
    record Rejected(String deviceId, String reason, String detail, String contractRule) implements MappedRecord {

        public Rejected(String deviceId, String reason, String detail) {
            this(deviceId, reason, detail, null);
        }

        /** The record breaks the input contract's {@code rule}: reason {@code contract-violation}, as the gateway's. */
        public static Rejected contract(String deviceId, String rule, String detail) {
            return new Rejected(deviceId, DeadLetterReason.CONTRACT_VIOLATION, detail, rule);
        }

        public boolean contractViolation() {
            return contractRule != null;
        }
    }
}
