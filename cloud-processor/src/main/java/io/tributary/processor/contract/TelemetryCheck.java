package io.tributary.processor.contract;

import io.tributary.proto.v1.ReadingBatch;

/**
 * The processor's re-check of the input contract on a decoded telemetry batch. The gateway enforces the contract at the
 * door; the processor checks it again because a record written to Kafka by anything else (a replay, another producer,
 * an older gateway) must not hurt it either. Pure and thread-safe.
 */
@FunctionalInterface
public interface TelemetryCheck {

    /** Accepts everything (tests and benchmarks that want no contract). */
    TelemetryCheck NONE = (batch, nowUnixNanos) -> null;

    /** The first rule the batch breaks, or null if it keeps the contract. */
    Violation check(ReadingBatch batch, long nowUnixNanos);

    /** A broken rule: its stable snake_case name (a metric label, the dead letter's reason), in words. */
    record Violation(String rule, String detail) {
    }
}
