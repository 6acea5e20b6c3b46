package io.tributary.simulator.report;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A log-linear histogram of durations in microseconds (HdrHistogram's idea, small): every power of two is split into
 * {@value #SUB_BUCKETS} equal buckets, so a percentile is off by at most 1/{@value #SUB_BUCKETS} (6 %) of its value.
 * Lock-free: any thread records. Values above about 36 minutes fall into the last bucket; the maximum is exact.
 */
public final class LatencyHistogram {

    private static final int SUB_BUCKETS = 16;
    private static final int SUB_BITS = 4;
    private static final int MAGNITUDES = 32;

    private final AtomicLongArray counts = new AtomicLongArray(MAGNITUDES * SUB_BUCKETS);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    public void recordNanos(long nanos) {
        long micros = Math.max(0, nanos / 1_000);
        counts.incrementAndGet(index(micros));
        total.incrementAndGet();
        max.accumulateAndGet(micros, Math::max);
    }

    public long count() {
        return total.get();
    }

    /** The maximum, in milliseconds. */
    public double maxMillis() {
        return max.get() / 1000.0;
    }

    /** The value at {@code percentile} (0-100), in milliseconds: the upper edge of its bucket, capped at the maximum. */
    public double percentileMillis(double percentile) {
        long n = total.get();
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(upperEdge(i), max.get()) / 1000.0;
            }
        }
        return maxMillis();
    }

    static int index(long micros) {
        if (micros < SUB_BUCKETS) {
            return (int) micros;
        }
        int magnitude = 63 - Long.numberOfLeadingZeros(micros) - SUB_BITS + 1;  // >= 1
        int sub = (int) (micros >>> (magnitude - 1)) - SUB_BUCKETS;            // 0..15
        int index = magnitude * SUB_BUCKETS + sub;
        return Math.min(index, MAGNITUDES * SUB_BUCKETS - 1);
    }

    /** The largest value (microseconds) that falls into bucket {@code index}. */
    static long upperEdge(int index) {
        int magnitude = index / SUB_BUCKETS;
        int sub = index % SUB_BUCKETS;
        if (magnitude == 0) {
            return sub;
        }
        return ((long) (SUB_BUCKETS + sub + 1) << (magnitude - 1)) - 1;
    }
}
