package io.tributary.processor.metrics;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe in-memory counters: the writer thread updates them, anyone reads them. */
public final class AtomicProcessorMetrics implements ProcessorMetrics {

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

    public void markCommitted(Instant when) {
        offsetCommits.increment();
        lastCommitTime.set(when);
    }

    @Override
    public long recordsConsumed() {
        return recordsConsumed.sum();
    }

    @Override
    public long readingsWritten() {
        return readingsWritten.sum();
    }

    @Override
    public long retryableWriteFailures() {
        return retryableWriteFailures.sum();
    }

    @Override
    public long permanentWriteFailures() {
        return permanentWriteFailures.sum();
    }

    @Override
    public long deadLettered() {
        return deadLettered.sum();
    }

    @Override
    public long offsetCommits() {
        return offsetCommits.sum();
    }

    @Override
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
