package io.tributary.contract;

import java.util.Objects;

/**
 * The first rule a batch breaks.
 *
 * @param rule the rule broken; its {@link ContractRule#label()} is the stable name for metrics and dead letters
 * @param readingIndex the index of the offending reading in the batch, or -1 when the batch as a whole breaks the rule
 * @param detail the violation in words, naming the reading (index and sensor) and the rule, e.g. {@code reading 3
 *     (sensor 'temp'): event time 2200-01-01T00:00:00Z is more than 5m ahead of the receiving clock (now 2026-12-06T22:50:00Z)}; printable
 *     ASCII only and at most {@link #MAX_DETAIL_LENGTH} characters, so it is safe in an MQTT reason string, a Kafka
 *     header and a log line whatever the device sent
 */
public record ContractViolation(ContractRule rule, int readingIndex, String detail) {

    /** Upper bound of {@link #detail()}'s length. */
    public static final int MAX_DETAIL_LENGTH = 400;

    public ContractViolation {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(detail, "detail");
        if (readingIndex < -1) {
            throw new IllegalArgumentException("readingIndex must be -1 (the batch) or an index, got " + readingIndex);
        }
        detail = Texts.bounded(detail, MAX_DETAIL_LENGTH);
    }
}
