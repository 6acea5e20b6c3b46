package io.tributary.processor.metrics;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** What the readings writer has done so far: a read-only view, safe to call from any thread. */
public interface ProcessorMetrics {

    /** Kafka telemetry records taken from a poll and handled (written, dead-lettered or still in flight). */
    long recordsConsumed();

    /** Readings InfluxDB accepted, counted once per record even if the record had to be written again. */
    long readingsWritten();

    /** InfluxDB write attempts that failed and will be retried (5xx, 429, I/O, timeouts, missing bucket, auth). */
    long retryableWriteFailures();

    /** InfluxDB writes rejected for their content (400, 413, 422): the records behind them go to the dead letter. */
    long permanentWriteFailures();

    /** Records sent to the dead-letter topic, for any reason. */
    long deadLettered();

    /** Kafka offset commits that succeeded. */
    long offsetCommits();

    /** When offsets were last committed; empty before the first commit. */
    Optional<Instant> lastCommitTime();

    // ---- issue 17

    /** Dead letters by reason (a {@code DeadLetterReason} code, or a contract rule). */
    default Map<String, Long> deadLetteredByReason() {
        return Map.of();
    }

    /** Records that broke the input contract, by rule. */
    default Map<String, Long> contractViolations() {
        return Map.of();
    }

    /** Why the write path is down right now (retrying, nothing committed), if it is. */
    default Optional<String> outage() {
        return Optional.empty();
    }
}
