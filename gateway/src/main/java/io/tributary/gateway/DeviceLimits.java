package io.tributary.gateway;

/**
 * Per-device fairness limits of the MQTT side: what one device (or one connection that has not said who it is yet)
 * may cost the gateway. Each component is described at its option ({@code GatewayOptions}, {@code --device-*},
 * {@code --max-pending-connects*}, {@code --max-unread-bytes-per-connection}); every bad value is rejected with a
 * message naming the component and that option.
 *
 * <p>The publish quota is two token buckets per device id (not per connection: a reconnect or a session takeover does
 * not refill them). The defaults leave honest fleets untouched: {@code ./tributary bench} sends 10 to 20 batches per
 * device per second (1,000 devices, 100,000-200,000 readings/s), the gateway benchmark at most about 130 per
 * connection at its maximum rate, an edge agent replaying its outbox 20 batches per second plus its live ones; a batch
 * there is a few hundred bytes to a few KiB. A pending connection lives milliseconds normally (CONNECT follows the TCP
 * handshake at once), so even a NAT'd fleet reconnecting at once stays far below the per-address default.
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

}
