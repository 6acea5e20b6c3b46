package io.tributary.processor.writer;

import java.util.List;


/** What one telemetry record becomes: points to write, or a reason to dead-letter it. */
public sealed interface MappedRecord {

    /**
     * The record decoded into points.
     *
     * @param deviceId the device the batch came from
     * @param points one point per reading (possibly none)
     */
    record Points(String deviceId, List<LinePoint> points) implements MappedRecord {
        public Points {
            points = List.copyOf(points);
        }
    }

    /**
     * The record cannot be stored.
     *
     * @param deviceId the device, as far as it is known (the record key or the batch's id); may be empty
     * @param reason a {@link DeadLetterReason} code
     * @param detail human-readable explanation
     * @param contractRule the input-contract rule broken ({@code tributary.contract-rule}), or null
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
