package io.tributary.common;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets at most one event per key and interval through and counts the others, so that what a device or a gateway can
 * trigger in a loop cannot flood a log: the caller writes its line only when {@link #pass} lets the event through,
 * with the number of events held back since. Lock-free; safe from any thread.
 */
public final class LogThrottle {
    /** What {@link #pass} returns for an event it holds back. */
    public static final long HELD_BACK = -1;

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentMap<Object, Window> windows = new ConcurrentHashMap<>();

    public LogThrottle(Duration interval) {
        this(interval, System::nanoTime);
    }

    /** {@code nanoClock}: a monotonic clock in nanoseconds ({@link System#nanoTime}; tests pass their own). */
    public LogThrottle(Duration interval, LongSupplier nanoClock) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative, got " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * One event of {@code key}: {@link #HELD_BACK} when an event of this key went through less than an interval ago,
     * otherwise how many events of this key were held back since the last one that went through (0: none).
     */
    public long pass(Object key) {
        Window window = windows.computeIfAbsent(key, k -> new Window(nanoClock.getAsLong()));
        long now = nanoClock.getAsLong();
        long next = window.nextPass.get();
        if (now - next >= 0 && window.nextPass.compareAndSet(next, now + intervalNanos)) {
            return window.heldBack.getAndSet(0);
        }
        window.heldBack.incrementAndGet();
        return HELD_BACK;
    }

    /** The interval in whole seconds, for the log line that says what was held back. */
    public long intervalSeconds() {
        return intervalNanos / 1_000_000_000L;
    }

    private static final class Window {
        final AtomicLong nextPass;
        final AtomicLong heldBack = new AtomicLong();

        Window(long now) {
            nextPass = new AtomicLong(now);
        }
    }
}
