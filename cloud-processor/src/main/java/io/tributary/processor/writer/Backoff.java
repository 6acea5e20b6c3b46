package io.tributary.processor.writer;

import java.time.Duration;

/** Exponential backoff: initial, 2×, 4×, … capped at max. Not thread-safe; one per retry sequence. */
public final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private long nextNanos;
    private int failures;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff: need 0 < initial <= max, got " + initial + ", " + max);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.nextNanos = initialNanos;
    }

    /** The wait before the next attempt; each call doubles the following one, up to the cap. */
    public Duration nextDelay() {
        long delay = nextNanos;
        failures++;
        nextNanos = delay > maxNanos / 2 ? maxNanos : Math.min(maxNanos, delay * 2);
        return Duration.ofNanos(delay);
    }

    /** How many delays were handed out since the last reset: the number of failed attempts. */
    public int failures() {
        return failures;
    }

    public void reset() {
        nextNanos = initialNanos;
        failures = 0;
    }
}
