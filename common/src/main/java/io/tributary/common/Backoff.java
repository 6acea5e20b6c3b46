package io.tributary.common;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff: attempt n may wait up to {@code c = min(max, initial * 2^n)}. With {@link Jitter#FULL} (the
 * default) the wait is a random time in [0, c), so many clients that failed together do not retry together; with
 * {@link Jitter#EQUAL} in [c/2, c); with {@link Jitter#NONE} exactly c. Not thread-safe: one per retry sequence.
 */
public final class Backoff {

    /** How much of each ceiling is left to chance. */
    public enum Jitter {
        /** Exactly the ceiling: initial, 2x, 4x, ... up to max. */
        NONE,
        /** A random time in the upper half of the ceiling. */
        EQUAL,
        /** A random time between zero and the ceiling. */
        FULL
    }

    private final long initialNanos;
    private final long maxNanos;
    private final Jitter jitter;
    private final DoubleSupplier random;
    private long ceilingNanos;
    private int failures;

    /** Full jitter from {@link ThreadLocalRandom}. */
    public Backoff(Duration initial, Duration max) {
        this(initial, max, Jitter.FULL, () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * @param random numbers in [0, 1): the seam that makes tests deterministic
     * @throws IllegalArgumentException unless 0 < initial <= max
     */
    public Backoff(Duration initial, Duration max, Jitter jitter, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff: need 0 < initial <= max, got " + initial + ", " + max);
        }
        this.initialNanos = saturatedNanos(initial);
        this.maxNanos = saturatedNanos(max);
        this.jitter = java.util.Objects.requireNonNull(jitter, "jitter");
        this.random = java.util.Objects.requireNonNull(random, "random");
        this.ceilingNanos = initialNanos;
    }

    /** The wait before the next attempt; each call counts one more failure and doubles the next ceiling. */
    public Duration next() {
        long ceiling = ceilingNanos;
        failures++;
        ceilingNanos = ceiling > maxNanos / 2 ? maxNanos : Math.min(maxNanos, ceiling * 2);
        double r = random.getAsDouble();
        long delay = switch (jitter) {
            case NONE -> ceiling;
            case EQUAL -> ceiling / 2 + (long) (r * (ceiling - ceiling / 2));
            case FULL -> (long) (r * ceiling);
        };
        return Duration.ofNanos(delay);
    }

    /** {@link #next()} in whole milliseconds (rounded down). */
    public long nextMillis() {
        return next().toMillis();
    }

    /** How many waits were handed out since the last reset: the number of failed attempts. */
    public int failures() {
        return failures;
    }

    /** Starts over at the initial ceiling, after a success. */
    public void reset() {
        ceilingNanos = initialNanos;
        failures = 0;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
