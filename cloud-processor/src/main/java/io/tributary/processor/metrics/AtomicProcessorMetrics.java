package io.tributary.processor.metrics;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** What a writer has done so far: thread-safe counters the writer thread updates and anyone reads. */
public final class AtomicProcessorMetrics {

    private final LongAdder recordsConsumed = new LongAdder();
    private final LongAdder readingsWritten = new LongAdder();
    private final LongAdder retryableWriteFailures = new LongAdder();
    private final LongAdder permanentWriteFailures = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder offsetCommits = new LongAdder();
    private final AtomicReference<Instant> lastCommitTime = new AtomicReference<>();

    public void incrementRecordsConsumed() {
        recordsConsumed.increment();
    }

    public void addReadingsWritten(long readings) {
        readingsWritten.add(readings);
    }

    public void incrementRetryableWriteFailures() {
        retryableWriteFailures.increment();
    }

    public void incrementPermanentWriteFailures() {
        permanentWriteFailures.increment();
    }

    public void incrementDeadLettered() {
        deadLettered.increment();
    }

    private final Map<String, LongAdder> deadLetteredByReason = new ConcurrentHashMap<>();

    {
        // Known reasons start at 0: a counter series that appears only with its first dead letter has no
        // increase() to show before it (the pipeline-health dashboard would say "no data").
        io.tributary.processor.writer.DeadLetterReason.ALL.forEach(r -> deadLetteredByReason.put(r, new LongAdder()));
    }
    private final Map<String, LongAdder> contractViolations = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> outageRetries = new ConcurrentHashMap<>();
    private final LongAdder probes = new LongAdder();
    private volatile String outage;

    /** A record sent to the dead-letter topic with {@code reason} (also counted in {@link #deadLettered()}). */
    public void incrementDeadLettered(String reason) {
        deadLettered.increment();
        deadLetteredByReason.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** A record that broke the input contract's {@code rule} (it is dead-lettered with the rule as reason). */
    public void incrementContractViolations(String rule) {
        contractViolations.computeIfAbsent(rule, r -> new LongAdder()).increment();
    }

    /** A write retried because the write path is down ({@code kind}: transient, misconfigured, rejected_wholesale). */
    public void incrementOutageRetries(String kind) {
        outageRetries.computeIfAbsent(kind, r -> new LongAdder()).increment();
    }

    /** A probe point written to tell a poisoned record from a broken write path. */
    public void incrementProbes() {
        probes.increment();
    }

    /** Sets (non-null) or clears (null) the current write-path outage. */
    public void setOutage(String why) {
        outage = why;
    }

    /** Why the write path is down right now (retrying, nothing committed), if it is. */
    public Optional<String> outage() {
        return Optional.ofNullable(outage);
    }

    /** Dead letters by reason (a {@code DeadLetterReason} code, or a contract rule). */
    public Map<String, Long> deadLetteredByReason() {
        return snapshot(deadLetteredByReason);
    }

    /** Records that broke the input contract, by rule. */
    public Map<String, Long> contractViolations() {
        return snapshot(contractViolations);
    }

    public Map<String, Long> outageRetries() {
        return snapshot(outageRetries);
    }

    /** The live counters behind the maps above, for the meter registry (read at scrape time only). */
    Map<String, LongAdder> deadLetteredByReasonCounters() {
        return deadLetteredByReason;
    }

    Map<String, LongAdder> contractViolationCounters() {
        return contractViolations;
    }

    Map<String, LongAdder> outageRetryCounters() {
        return outageRetries;
    }

    public long probes() {
        return probes.sum();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
        Map<String, Long> result = new TreeMap<>();
        counters.forEach((k, v) -> result.put(k, v.sum()));
        return result;
    }

    public void markCommitted(Instant when) {
        offsetCommits.increment();
        lastCommitTime.set(when);
    }

    /** Kafka records taken from a poll and handled (written, dead-lettered or still in flight). */
    public long recordsConsumed() {
        return recordsConsumed.sum();
    }

    /** Points InfluxDB accepted, counted once per record even if the record had to be written again. */
    public long readingsWritten() {
        return readingsWritten.sum();
    }

    /** InfluxDB write attempts that failed and will be retried (5xx, 429, I/O, timeouts, missing bucket, auth). */
    public long retryableWriteFailures() {
        return retryableWriteFailures.sum();
    }

    /** InfluxDB writes rejected for their content (400, 413, 422): the records behind them go to the dead letter. */
    public long permanentWriteFailures() {
        return permanentWriteFailures.sum();
    }

    /** Records sent to the dead-letter topic, for any reason. */
    public long deadLettered() {
        return deadLettered.sum();
    }

    /** Kafka offset commits that succeeded. */
    public long offsetCommits() {
        return offsetCommits.sum();
    }

    /** When offsets were last committed; empty before the first commit. */
    public Optional<Instant> lastCommitTime() {
        return Optional.ofNullable(lastCommitTime.get());
    }

    @Override
    public String toString() {
        return "ProcessorMetrics[recordsConsumed=" + recordsConsumed() + ", readingsWritten=" + readingsWritten()
                + ", retryableWriteFailures=" + retryableWriteFailures() + ", permanentWriteFailures="
                + permanentWriteFailures() + ", deadLettered=" + deadLettered() + ", offsetCommits=" + offsetCommits()
                + ", lastCommitTime=" + lastCommitTime.get() + "]";
    }
}
