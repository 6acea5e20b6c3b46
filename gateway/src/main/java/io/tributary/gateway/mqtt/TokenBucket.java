package io.tributary.gateway.mqtt;

/**
 * A token bucket: holds up to {@code capacity} tokens, refills at {@code ratePerSecond}, starts full. Not
 * thread-safe; {@link PublishQuota} guards it. Time comes in from the caller (nanoseconds of one monotonic clock), so
 * it is tested without waiting.
 */
final class TokenBucket {

    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long lastNanos;

    TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
        if (!(ratePerSecond > 0) || !(capacity >= 1)) {
            throw new IllegalArgumentException("rate must be positive and capacity at least 1, got " + ratePerSecond
                    + "/s and " + capacity);
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.tokens = capacity;
        this.lastNanos = nowNanos;
    }

    /** Whether {@code amount} tokens are there at {@code nowNanos} (refilling first); takes none. */
    boolean has(double amount, long nowNanos) {
        refill(nowNanos);
        return tokens >= amount;
    }

    /** Takes {@code amount} tokens; call after {@link #has} said yes. */
    void take(double amount) {
        tokens -= amount;
    }

    /** Whether the bucket is full at {@code nowNanos}: its owner has been quiet long enough to forget it. */
    boolean full(long nowNanos) {
        refill(nowNanos);
        return tokens >= capacity;
    }

    double capacity() {
        return capacity;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
            lastNanos = nowNanos;
        }
    }
}
