package io.tributary.simulator.report;

import java.util.concurrent.atomic.LongAccumulator;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * PUBACK latencies of a run, in an HdrHistogram of microseconds with three significant digits (a percentile is off by
 * at most 0.1 % of its value), and the exact maximum. Any thread records.
 */
public final class LatencyHistogram {

    private final ConcurrentHistogram micros = new ConcurrentHistogram(3);
    private final LongAccumulator maxMicros = new LongAccumulator(Math::max, 0);

    public void recordNanos(long nanos) {
        long value = Math.max(0, nanos / 1_000);
        micros.recordValue(value);
        maxMicros.accumulate(value);
    }

    public long count() {
        return micros.getTotalCount();
    }

    /** The maximum, in milliseconds. */
    public double maxMillis() {
        return maxMicros.get() / 1000.0;
    }

    /** The value at {@code percentile} (0-100), in milliseconds, capped at the maximum; 0 when nothing was recorded. */
    public double percentileMillis(double percentile) {
        return Math.min(micros.getValueAtPercentile(percentile), maxMicros.get()) / 1000.0;
    }
}
