package io.tributary.agent.transport;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/** Exponential backoff with jitter: attempt n waits a random time in [d/2, d], d = min(max, initial * 2^n). */
public final class Backoff {

    private final long initialMs;
    private final long maxMs;
    private final DoubleSupplier random;
    private int attempt;

    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        this.initialMs = initial.toMillis();
        this.maxMs = max.toMillis();
        this.random = random;
    }

    /** The delay before the next attempt; each call counts one more failure. */
    public long nextDelayMs() {
        long ceiling = Math.min(maxMs, initialMs << Math.min(attempt, 30));
        attempt++;
        return ceiling / 2 + (long) (random.getAsDouble() * (ceiling - ceiling / 2));
    }

    public void reset() {
        attempt = 0;
    }

    public int failures() {
        return attempt;
    }
}
