package io.tributary.processor.metrics;

import java.util.Optional;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.tributary.processor.writer.DeadLetterReason;

/**
 * What a writer kind ({@code readings}, {@code rollups}, {@code alerts}, {@code health}) has done so far: its meters
 * carry the label {@code writer}. Thread-safe; built by {@link ProcessorMeters#writer}.
 */
public final class WriterMeters {

    private final ProcessorMeters meters;
    final String writer;
    public final Counter recordsConsumed;
    /** Points InfluxDB accepted, counted once per record even if the record had to be written again. */
    public final Counter pointsWritten;
    /** Write attempts that failed and will be retried (5xx, 429, I/O, timeouts, missing bucket, auth). */
    public final Counter retryableFailures;
    /** Writes rejected for their content (400, 413, 422): the records behind them go to the dead letter. */
    public final Counter rejectedFailures;
    public final Counter probes;
    public final Counter offsetCommits;
    private volatile String outage;

    WriterMeters(ProcessorMeters meters, String writer) {
        this.meters = meters;
        this.writer = writer;
        recordsConsumed = meters.counter("records.consumed", "Kafka records taken by a writer.", "writer", writer);
        pointsWritten = meters.counter("points.written", "Records (readings, rollups, alerts) InfluxDB accepted.",
                "writer", writer);
        retryableFailures = meters.counter("write.failures", "Failed InfluxDB writes by kind.", "writer", writer,
                "kind", "retryable");
        rejectedFailures = meters.counter("write.failures", "Failed InfluxDB writes by kind.", "writer", writer,
                "kind", "rejected");
        probes = meters.counter("write.probes", "Probe points written after a rejection, to tell a poisoned record "
                + "from a broken write path.", "writer", writer);
        offsetCommits = meters.counter("offset.commits", "Kafka offset commits that succeeded.", "writer", writer);
        Gauge.builder(ProcessorMeters.P + "write.path.up", this, w -> w.outage == null ? 1 : 0)
                .description("0 while a writer cannot store anything (InfluxDB unreachable or rejecting every "
                        + "write).").tags("writer", writer).strongReference(true).register(meters.registry);
        // Known reasons start at 0: a counter series that appears only with its first dead letter has no
        // increase() to show before it (the pipeline-health dashboard would say "no data").
        DeadLetterReason.ALL.forEach(this::deadLetterCounter);
    }

    /** A record sent to the dead-letter topic with {@code reason} (a {@code DeadLetterReason} or contract rule). */
    public void deadLettered(String reason) {
        deadLetterCounter(reason).increment();
    }

    private Counter deadLetterCounter(String reason) {
        return meters.counter("deadlettered", "Records sent to the dead-letter topic, by writer and reason.",
                "writer", writer, "reason", reason);
    }

    /** A record that broke the input contract's {@code rule} (it is dead-lettered with the rule as reason). */
    public void contractViolation(String rule) {
        meters.counter("contract.violations", ProcessorMeters.CONTRACT_HELP, "part", "writer", "rule", rule)
                .increment();
    }

    /** A write retried while the write path is down ({@code kind}: transient, misconfigured, rejected_wholesale). */
    public void outageRetry(String kind) {
        meters.counter("write.outage.retries", "Writes retried because the write path was down, by kind (transient, "
                + "misconfigured, rejected_wholesale).", "writer", writer, "kind", kind).increment();
    }

    /** Sets (non-null) or clears (null) the current write-path outage. */
    public void setOutage(String why) {
        outage = why;
    }

    /** Why the write path is down right now (retrying, nothing committed), if it is. */
    public Optional<String> outage() {
        return Optional.ofNullable(outage);
    }

    @Override
    public String toString() {
        return "records consumed " + (long) recordsConsumed.count() + ", points written "
                + (long) pointsWritten.count() + ", failed writes " + (long) retryableFailures.count()
                + " retryable " + (long) rejectedFailures.count() + " rejected, dead letters "
                + meters.count("deadlettered", "writer", writer) + ", offset commits " + (long) offsetCommits.count();
    }
}
