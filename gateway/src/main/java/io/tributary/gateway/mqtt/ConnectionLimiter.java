package io.tributary.gateway.mqtt;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts device connections across all MQTT verticles and listeners and caps them; optionally also per key (the
 * pending-CONNECT slots: per address, so one address cannot hold them all). Thread-safe.
 */
public final class ConnectionLimiter {

    public enum Outcome {
        ACQUIRED,
        LIMIT_REACHED,
        KEY_LIMIT_REACHED
    }

    private final int max;
    private final AtomicInteger held = new AtomicInteger();
    private final int maxPerKey;
    /** Slots held per key; a key holding none is removed, so the map never outgrows {@link #max}. */
    private final ConcurrentHashMap<String, Integer> heldPerKey = new ConcurrentHashMap<>();

    public ConnectionLimiter(int max) {
        this(max, Integer.MAX_VALUE);
    }

    public ConnectionLimiter(int max, int maxPerKey) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        if (maxPerKey < 1) {
            throw new IllegalArgumentException("maxPerKey must be at least 1, got " + maxPerKey);
        }
        this.max = max;
        this.maxPerKey = maxPerKey;
    }

    /** Takes a slot for {@code key} unless it or the whole limiter is full; each ACQUIRED needs one release(key). */
    public Outcome tryAcquire(String key) {
        boolean[] keySlot = new boolean[1];
        heldPerKey.compute(key, (k, now) -> {
            int count = now == null ? 0 : now;
            if (count >= maxPerKey) {
                return now;
            }
            keySlot[0] = true;
            return count + 1;
        });
        if (!keySlot[0]) {
            return Outcome.KEY_LIMIT_REACHED;
        }
        if (!tryAcquire()) {
            releaseKey(key);
            return Outcome.LIMIT_REACHED;
        }
        return Outcome.ACQUIRED;
    }

    public void release(String key) {
        releaseKey(key);
        release();
    }

    private void releaseKey(String key) {
        heldPerKey.computeIfPresent(key, (k, now) -> now <= 1 ? null : now - 1);
    }

    public int held(String key) {
        return heldPerKey.getOrDefault(key, 0);
    }

    public int maxPerKey() {
        return maxPerKey;
    }

    /** Takes a slot; false when all are taken. Every successful call needs exactly one {@link #release()}. */
    public boolean tryAcquire() {
        return held.getAndUpdate(now -> now >= max ? now : now + 1) < max;
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
