package io.tributary.gateway.mqtt;

import io.tributary.gateway.DeviceLimits;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The live session of every device id, across all MQTT verticles and both listeners of one gateway process, and each
 * device's {@link PublishQuota}. One live connection per device id: a CONNECT with an id that is connected already
 * {@link #claim claims} the session, and the caller ends the connection it replaces (MQTT 5 DISCONNECT 0x8E).
 *
 * <p>The quota is keyed by the device id, not by the connection, and outlives it: a reconnect or a takeover does not
 * refill it. An entry without a connection is forgotten by {@link #sweep} once its quota is full again (the device was
 * quiet long enough that forgetting it resets nothing), so the map holds the connected devices plus the recently
 * active ones. Thread-safe; the connections themselves are touched only by their owners.
 *
 * @param <C> the connection type ({@code DeviceConnection} in the gateway)
 */
public final class DeviceSessions<C> {

    record Claim<C>(C previous, PublishQuota quota) {
    }

    private static final class Entry<C> {
        C holder;
        final PublishQuota quota;

        Entry(PublishQuota quota) {
            this.quota = quota;
        }
    }

    private final DeviceLimits limits;
    private final LongSupplier nanoClock;
    private static final long SWEEP_INTERVAL_NANOS = 10_000_000_000L;

    private final ConcurrentMap<String, Entry<C>> devices = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep;

    public DeviceSessions(DeviceLimits limits) {
        this(limits, System::nanoTime);
    }

    DeviceSessions(DeviceLimits limits, LongSupplier nanoClock) {
        this.limits = limits;
        this.nanoClock = nanoClock;
        this.nextSweep = new AtomicLong(nanoClock.getAsLong() + SWEEP_INTERVAL_NANOS);
    }

    /** Makes {@code connection} the live one of {@code deviceId}: gives the one it replaces (to end) and the quota. */
    Claim<C> claim(String deviceId, C connection) {
        Object[] previous = new Object[1];
        Entry<C> entry = devices.compute(deviceId, (id, existing) -> {
            Entry<C> e = existing != null ? existing : new Entry<>(PublishQuota.of(limits, nanoClock.getAsLong()));
            previous[0] = e.holder;
            e.holder = connection;
            return e;
        });
        @SuppressWarnings("unchecked")
        C replaced = (C) previous[0];
        return new Claim<>(replaced == connection ? null : replaced, entry.quota);
    }

    /** Ends {@code connection}'s hold on the session if it still has it; drops an entry with no quota worth keeping. */
    void release(String deviceId, C connection) {
        long now = nanoClock.getAsLong();
        devices.computeIfPresent(deviceId, (id, e) -> {
            if (e.holder != connection) {
                return e;
            }
            e.holder = null;
            return e.quota == null || e.quota.full(now) ? null : e;
        });
    }

    C holder(String deviceId) {
        Entry<C> e = devices.get(deviceId);
        return e == null ? null : e.holder;
    }

    /** Forgets devices without a connection whose quota is full again, at most once per interval; entries removed. */
    int sweep() {
        long now = nanoClock.getAsLong();
        long due = nextSweep.get();
        if (now - due < 0 || !nextSweep.compareAndSet(due, now + SWEEP_INTERVAL_NANOS)) {
            return 0;
        }
        int[] removed = new int[1];
        for (String deviceId : devices.keySet()) {
            devices.computeIfPresent(deviceId, (id, e) -> {
                if (e.holder == null && (e.quota == null || e.quota.full(now))) {
                    removed[0]++;
                    return null;
                }
                return e;
            });
        }
        return removed[0];
    }

    int size() {
        return devices.size();
    }
}
