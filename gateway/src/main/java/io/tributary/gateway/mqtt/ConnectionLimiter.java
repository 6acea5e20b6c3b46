package io.tributary.gateway.mqtt;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts device connections across all MQTT verticles and listeners and caps them. Thread-safe. */
public final class ConnectionLimiter {

    private final int max;
    private final AtomicInteger held = new AtomicInteger();

    public ConnectionLimiter(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        this.max = max;
    }

    /** Takes a slot; false when all are taken. Every successful call needs exactly one {@link #release()}. */
    public boolean tryAcquire() {
        while (true) {
            int now = held.get();
            if (now >= max) {
                return false;
            }
            if (held.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    public void release() {
        held.decrementAndGet();
    }

    /** Slots taken now (connections open or being authenticated). */
    public int held() {
        return held.get();
    }

    public int max() {
        return max;
    }
}
