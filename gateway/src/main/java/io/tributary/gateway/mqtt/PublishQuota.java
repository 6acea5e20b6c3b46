package io.tributary.gateway.mqtt;

import io.tributary.gateway.DeviceLimits;

/**
 * One device's publish quota: a bucket of messages and one of payload bytes. A publish passes only if both have room
 * and then takes from both; a refused publish takes nothing. Thread-safe: after a session takeover the old and the new
 * connection of a device may live on different event loops for a moment.
 */
final class PublishQuota {

    private final TokenBucket messages;
    private final TokenBucket bytes;
    private final String description;

    /** A quota as {@code limits} say; null when neither limit is on. */
    static PublishQuota of(DeviceLimits limits, long nowNanos) {
        return limits.publishQuotaEnabled() ? new PublishQuota(limits, nowNanos) : null;
    }

    private PublishQuota(DeviceLimits limits, long nowNanos) {
        this.messages = limits.publishRate() > 0
                ? new TokenBucket(limits.publishRate(), limits.publishBurst(), nowNanos) : null;
        this.bytes = limits.byteRate() > 0 ? new TokenBucket(limits.byteRate(), limits.byteBurst(), nowNanos) : null;
        StringBuilder text = new StringBuilder("device publish quota exceeded (");
        if (messages != null) {
            text.append(formatRate(limits.publishRate())).append(" msgs/s, burst ").append(limits.publishBurst());
        }
        if (bytes != null) {
            text.append(messages != null ? "; " : "").append(limits.byteRate()).append(" bytes/s, burst ")
                    .append(limits.byteBurst());
        }
        this.description = text.append("), retry later").toString();
    }

    /** Takes one message of {@code payloadBytes}: null when it passes, else why not (the MQTT 5 Reason String). */
    synchronized String tryAcquire(int payloadBytes, long nowNanos) {
        // A payload larger than the byte burst could never pass; the payload limit refuses it anyway, with 0x99.
        double byteCost = bytes == null ? 0 : Math.min(payloadBytes, bytes.capacity());
        boolean fits = (messages == null || messages.has(1, nowNanos))
                && (bytes == null || bytes.has(byteCost, nowNanos));
        if (!fits) {
            return description;
        }
        if (messages != null) {
            messages.take(1);
        }
        if (bytes != null) {
            bytes.take(byteCost);
        }
        return null;
    }

    /** Whether both buckets are full: the device has been quiet long enough that forgetting it resets nothing. */
    synchronized boolean full(long nowNanos) {
        return (messages == null || messages.full(nowNanos)) && (bytes == null || bytes.full(nowNanos));
    }

    private static String formatRate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }
}
