package io.tributary.demo.bench;

import io.tributary.demo.measure.LatencySummary;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * One hop the probe times (publish → PUBACK, → Kafka, → alert, → queryable): each probe reading expected by its
 * unique event time, its latency recorded in microseconds when it arrives ({@link LatencySummary}), or counted as
 * missed when it never does.
 */
final class LatencyHop {

    private final Histogram micros = LatencySummary.micros();
    /** The latencies of readings in flight at some time in [windowFrom, windowTo) (nanoTime): around a failure. */
    private final Histogram windowMicros = LatencySummary.micros();
    private volatile long windowFrom = Long.MAX_VALUE;
    private volatile long windowTo = Long.MAX_VALUE;
    private final AtomicLong missed = new AtomicLong();
    /** Event time → when the reading was sent (nanoTime). */
    private final Map<Long, Long> pending;

    private LatencyHop(Map<Long, Long> pending) {
        this.pending = pending;
    }

    static LatencyHop unordered() {
        return new LatencyHop(new ConcurrentHashMap<>());
    }

    /** A hop whose oldest pending reading can be asked for ({@link #oldestPending()}). */
    static LatencyHop ordered() {
        return new LatencyHop(new ConcurrentSkipListMap<>());
    }

    void expect(long eventNanos, long sentNanos) {
        pending.put(eventNanos, sentNanos);
    }

    /** The reading of {@code eventNanos} arrived; a second arrival, or one never expected, is not a sample. */
    void arrived(long eventNanos, long arrivedNanos) {
        Long sent = pending.remove(eventNanos);
        if (sent != null) {
            long latency = Math.max(0, (arrivedNanos - sent) / 1_000);
            synchronized (micros) {
                micros.recordValue(latency);
                if (sent < windowTo && arrivedNanos >= windowFrom) {
                    windowMicros.recordValue(latency);
                }
            }
        }
    }

    /** Counts every reading sent before {@code nanos} and not arrived as missed. */
    void giveUpOlderThan(long nanos) {
        pending.entrySet().removeIf(e -> {
            boolean old = e.getValue() < nanos;
            if (old) {
                missed.incrementAndGet();
            }
            return old;
        });
    }

    /** The event time of the oldest reading not arrived yet; null if none (an {@link #ordered()} hop only). */
    Long oldestPending() {
        Map.Entry<Long, Long> oldest = ((NavigableMap<Long, Long>) pending).firstEntry();
        return oldest == null ? null : oldest.getKey();
    }

    /** A copy of the latencies so far, in microseconds. */
    Histogram histogram() {
        synchronized (micros) {
            return micros.copy();
        }
    }

    /** From now on also records the latencies of readings in flight at some time in {@code [from, to)}. */
    void window(long fromNanos, long toNanos) {
        windowFrom = fromNanos;
        windowTo = toNanos;
    }

    /** A copy of the latencies of {@link #window(long, long)}, in microseconds. */
    Histogram windowHistogram() {
        synchronized (micros) {
            return windowMicros.copy();
        }
    }

    long missed() {
        return missed.get();
    }
}
