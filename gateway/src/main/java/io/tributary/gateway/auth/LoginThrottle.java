package io.tributary.gateway.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Counts failed logins per source address, per device id and per (device id, address) pair, and tells whether the
 * next CONNECT may cost a key derivation. Thread-safe; every call is a few map operations under one lock.
 *
 * <ul>
 *   <li><b>Address</b>: {@code maxFailuresPerAddress} failures within the window block the address for
 *       {@code blockDuration}: its CONNECTs are refused at once. IPv6 addresses count per /64, the block a single
 *       host usually holds.</li>
 *   <li><b>Device id</b>: {@code maxFailuresPerDevice} failures within the window put the id "under attack" for
 *       {@code blockDuration}. An id under attack is not refused outright (that would hand whoever knows an id a way
 *       to lock its device out); instead an address that has failed on that id during the attack is refused at once,
 *       while an address that has not (the device's own) still gets its secret checked. So the derivations spent on
 *       an attacked id are bounded by one per attacking address per block, on top of the address throttle.</li>
 * </ul>
 * Only failures count: an honest fleet reconnecting after a gateway restart is never throttled, and a secret the
 * gateway verified before ({@link io.tributary.gateway.registry.SecretVerifier#knownGood}) is let through before
 * this is asked. Unknown ids are tracked exactly like known ones, so throttling reveals nothing about which ids exist.
 * Each table is a least-recently-used map of at most {@code trackedEntries} entries: a source rotating addresses or
 * ids costs bounded memory (and forgets the oldest entries, not the ones being hit).
 */
public final class LoginThrottle {

    public enum Verdict {
        ADMIT,
        /** Refuse at once: too many failures from this address. */
        ADDRESS_BLOCKED,
        /** Refuse at once: this address already failed on this device id while the id is under attack. */
        DEVICE_BLOCKED
    }

    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

    private final int maxFailuresPerAddress;
    private final int maxFailuresPerDevice;
    private final long windowNanos;
    private final long blockNanos;
    private final LongSupplier nanoClock;
    private final Object lock = new Object();
    private final Map<String, Counter> addresses;
    private final Map<String, Counter> devices;
    private final Map<String, Long> pairFailures;

    public LoginThrottle(AuthSettings settings) {
        this(settings, System::nanoTime);
    }

    LoginThrottle(AuthSettings settings, LongSupplier nanoClock) {
        this.maxFailuresPerAddress = settings.maxFailuresPerAddress();
        this.maxFailuresPerDevice = settings.maxFailuresPerDevice();
        this.windowNanos = settings.failureWindow().toNanos();
        this.blockNanos = settings.blockDuration().toNanos();
        this.nanoClock = nanoClock;
        this.addresses = lru(settings.trackedEntries());
        this.devices = lru(settings.trackedEntries());
        this.pairFailures = lru(settings.trackedEntries());
    }

    /** Whether a CONNECT from {@code address} for {@code deviceId} (null if it named none) may check a secret. */
    public Verdict admit(String address, String deviceId) {
        String source = sourceKey(address);
        long now = nanoClock.getAsLong();
        synchronized (lock) {
            Counter byAddress = addresses.get(source);
            if (byAddress != null && byAddress.blocked(now)) {
                return Verdict.ADDRESS_BLOCKED;
            }
            if (deviceId != null) {
                Counter byDevice = devices.get(deviceId);
                if (byDevice != null && byDevice.blocked(now)) {
                    Long failedAt = pairFailures.get(pairKey(deviceId, source));
                    if (failedAt != null && now - failedAt < blockNanos) {
                        return Verdict.DEVICE_BLOCKED;
                    }
                }
            }
            return Verdict.ADMIT;
        }
    }

    /** Records a failed login from {@code address} for {@code deviceId} (null when the CONNECT named no valid id). */
    public void failed(String address, String deviceId) {
        String source = sourceKey(address);
        long now = nanoClock.getAsLong();
        synchronized (lock) {
            addresses.computeIfAbsent(source, k -> new Counter()).fail(now, maxFailuresPerAddress, windowNanos,
                    blockNanos);
            if (deviceId != null) {
                devices.computeIfAbsent(deviceId, k -> new Counter()).fail(now, maxFailuresPerDevice, windowNanos,
                        blockNanos);
                pairFailures.put(pairKey(deviceId, source), now);
            }
        }
    }

    /** Entries held in all tables now (bounded by three times {@code trackedEntries}). */
    public int trackedEntries() {
        synchronized (lock) {
            return addresses.size() + devices.size() + pairFailures.size();
        }
    }

    private static String pairKey(String deviceId, String source) {
        return deviceId + '\n' + source; // a device id never holds a newline
    }

    /** The throttle key of a {@code host:port} peer address: the host, IPv6 cut to its /64. */
    public static String sourceKey(String remoteAddress) {
        if (remoteAddress == null || remoteAddress.isEmpty()) {
            return "?";
        }
        String host = remoteAddress;
        int colon = host.lastIndexOf(':');
        if (colon > 0 && colon < host.length() - 1
                && host.substring(colon + 1).chars().allMatch(c -> c >= '0' && c <= '9')) {
            host = host.substring(0, colon); // drop ":port"
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.indexOf(':') < 0 || !IPV6_LITERAL.matcher(host).matches()) {
            return host.length() > 64 ? host.substring(0, 64) : host;
        }
        try {
            byte[] bytes = InetAddress.getByName(host).getAddress(); // a literal: no name lookup
            if (bytes.length == 4) {
                return InetAddress.getByAddress(bytes).getHostAddress(); // IPv4-mapped
            }
            StringBuilder prefix = new StringBuilder(24);
            for (int i = 0; i < 8; i += 2) {
                prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
            }
            return prefix.append(":/64").toString();
        } catch (UnknownHostException e) {
            return host.length() > 64 ? host.substring(0, 64) : host;
        }
    }

    private static <V> Map<String, V> lru(int capacity) {
        return new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Failures in the current fixed window, and until when the key is blocked. Guarded by {@link #lock}. */
    private static final class Counter {
        private long windowStart;
        private int failures;
        private long blockedUntil;
        private boolean everBlocked;

        void fail(long now, int limit, long windowNanos, long blockNanos) {
            if (failures == 0 || now - windowStart >= windowNanos) {
                windowStart = now;
                failures = 0;
            }
            failures++;
            if (failures >= limit && !blocked(now)) {
                blockedUntil = now + blockNanos;
                everBlocked = true;
                failures = 0; // after the block the key gets a fresh window
            }
        }

        boolean blocked(long now) {
            return everBlocked && now - blockedUntil < 0;
        }
    }
}
