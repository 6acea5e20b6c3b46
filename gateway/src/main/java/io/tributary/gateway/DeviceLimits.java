package io.tributary.gateway;

/**
 * Per-device fairness limits of the MQTT side: what one device (or one connection that has not said who it is yet)
 * may cost the gateway. Every bad value is rejected with a message naming the component and its {@code GatewayMain}
 * option.
 *
 * <p>The publish quota is two token buckets per device id (not per connection: a reconnect or a session takeover does
 * not refill them). The defaults leave honest fleets untouched: {@code ./tributary bench} sends 10 to 20 batches per
 * device per second (1,000 devices, 100,000-200,000 readings/s), the gateway benchmark at most about 130 per
 * connection at its maximum rate, an edge agent replaying its outbox 20 batches per second plus its live ones; a batch
 * there is a few hundred bytes to a few KiB.
 *
 * @param publishRate PUBLISH packets per second one device may send on average (QoS 0 and 1, every topic); 0 = no
 *     message quota ({@code --device-publish-rate})
 * @param publishBurst PUBLISH packets a device may send at once above that rate (the bucket's size)
 *     ({@code --device-publish-burst})
 * @param byteRate payload bytes per second one device may send on average; 0 = no byte quota
 *     ({@code --device-byte-rate})
 * @param byteBurst payload bytes a device may send at once; at least the largest payload accepted
 *     ({@code --device-byte-burst})
 * @param maxPendingConnects TCP connections (after TLS) that have not sent CONNECT yet, at most, on all listeners
 *     together; more are closed at once ({@code --max-pending-connects})
 * @param maxUnreadBytesPerConnection answers (PUBACKs, SUBACKs, configurations) a connection may leave unread in the
 *     gateway's buffers; a connection that does not read its socket is closed when it would exceed this
 *     ({@code --max-unread-bytes-per-connection})
 * @param maxPendingConnectsPerAddress of those pending connections, at most this many from one address (IPv6: one
 *     /64), so one address cannot take every pending slot; more are closed at once
 *     ({@code --max-pending-connects-per-address}). A pending connection lives milliseconds normally (CONNECT follows
 *     the TCP handshake at once), so even a NAT'd fleet reconnecting at once stays far below the default
 */
public record DeviceLimits(double publishRate, int publishBurst, long byteRate, long byteBurst,
        int maxPendingConnects, int maxUnreadBytesPerConnection, int maxPendingConnectsPerAddress) {

    public static final DeviceLimits DEFAULTS = new DeviceLimits(1000, 2000, 2L * 1024 * 1024, 8L * 1024 * 1024,
            1000, 256 * 1024, 64);

    /** Smallest {@link #maxUnreadBytesPerConnection}: room for a few hundred PUBACKs with reason strings. */
    public static final int MIN_UNREAD_BYTES = 16 * 1024;

    public DeviceLimits {
        if (!(publishRate >= 0) || Double.isInfinite(publishRate)) {
            throw new IllegalArgumentException("publishRate (--device-publish-rate) must be 0 (off) or a positive"
                    + " number of publishes per second, got " + publishRate);
        }
        Checks.atLeast(publishBurst, 1, "publishBurst (--device-publish-burst)");
        Checks.atLeast(byteRate, 0, "byteRate (--device-byte-rate, 0 = off)");
        Checks.atLeast(byteBurst, 1, "byteBurst (--device-byte-burst)");
        Checks.atLeast(maxPendingConnects, 1, "maxPendingConnects (--max-pending-connects)");
        Checks.atLeast(maxUnreadBytesPerConnection, MIN_UNREAD_BYTES,
                "maxUnreadBytesPerConnection (--max-unread-bytes-per-connection)");
        Checks.atLeast(maxPendingConnectsPerAddress, 1,
                "maxPendingConnectsPerAddress (--max-pending-connects-per-address)");
    }

    public boolean publishQuotaEnabled() {
        return publishRate > 0 || byteRate > 0;
    }

    public DeviceLimits withPublishQuota(double rate, int burst) {
        return new DeviceLimits(rate, burst, byteRate, byteBurst, maxPendingConnects, maxUnreadBytesPerConnection,
                maxPendingConnectsPerAddress);
    }

    public DeviceLimits withByteQuota(long rate, long burst) {
        return new DeviceLimits(publishRate, publishBurst, rate, burst, maxPendingConnects,
                maxUnreadBytesPerConnection, maxPendingConnectsPerAddress);
    }

    public DeviceLimits withMaxPendingConnects(int value) {
        return new DeviceLimits(publishRate, publishBurst, byteRate, byteBurst, value, maxUnreadBytesPerConnection,
                maxPendingConnectsPerAddress);
    }

    public DeviceLimits withMaxUnreadBytesPerConnection(int value) {
        return new DeviceLimits(publishRate, publishBurst, byteRate, byteBurst, maxPendingConnects, value,
                maxPendingConnectsPerAddress);
    }

    public DeviceLimits withMaxPendingConnectsPerAddress(int value) {
        return new DeviceLimits(publishRate, publishBurst, byteRate, byteBurst, maxPendingConnects,
                maxUnreadBytesPerConnection, value);
    }
}
