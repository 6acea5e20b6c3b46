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
     * @param contractViolation the reason is a rule of the input contract (counted by rule as well)
     */
    record Rejected(String deviceId, String reason, String detail, boolean contractViolation)
            implements MappedRecord {

        public Rejected(String deviceId, String reason, String detail) {
            this(deviceId, reason, detail, false);
        }

        /** The record breaks the input contract: {@code rule} is its reason. */
        public static Rejected contract(String deviceId, String rule, String detail) {
            return new Rejected(deviceId, rule, detail, true);
        }
    }
}
