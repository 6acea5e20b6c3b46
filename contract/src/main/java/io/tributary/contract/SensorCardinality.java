package io.tributary.contract;

import io.tributary.proto.v1.ReadingBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tracks the distinct sensor names of each device and holds each to {@link InputContract#maxSensorsPerDevice()}: the
 * series cardinality one device may create in InfluxDB. A batch is admitted only if all its new sensor names fit; then
 * they are recorded, all at once. Once a device has its sensors, a batch of known sensors is admitted without a lock
 * or an allocation ({@link #known(String)} and {@link KnownSensors#contains(byte[], int, int)} work on raw bytes).
 *
 * <p>Thread-safe: devices sit in a concurrent map; each device's names are an immutable hash table replaced, under
 * the device's lock, by a copy with the new names (copy-on-write: a device adds at most
 * {@code maxSensorsPerDevice} names in its life, while it reads them at every batch).
 *
 * <p>Memory is bounded by the devices seen times their bounded sensors: at most {@code maxSensorsPerDevice} names of
 * at most {@code maxSensorNameLength} bytes each, about {@code 100 + n × (name length + 60)} bytes per device of
 * {@code n} sensors. An honest fleet of 10,000 devices with 5 sensors each takes about 4 MB; a hostile device filling
 * the default limits (256 names of 128 bytes) about 48 KB. The number of devices is bounded by whoever may publish
 * (the device registry, with authentication on); {@link #forget(String)} drops one. The count lives in this process:
 * it restarts empty and each gateway instance counts for itself, so it bounds how fast a device can create series
 * rather than their total in the database.
 */
public final class SensorCardinality {

    private final int maxSensorsPerDevice;
    private final ConcurrentHashMap<String, DeviceSensors> devices = new ConcurrentHashMap<>();

    /** @param maxSensorsPerDevice distinct sensor names a device may use, at least 1 */
    public SensorCardinality(int maxSensorsPerDevice) {
        if (maxSensorsPerDevice < 1) {
            throw new IllegalArgumentException("maxSensorsPerDevice must be at least 1, got " + maxSensorsPerDevice);
        }
        this.maxSensorsPerDevice = maxSensorsPerDevice;
    }

    /** A tracker with the contract's {@link InputContract#maxSensorsPerDevice()}. */
    public SensorCardinality(InputContract contract) {
        this(contract.maxSensorsPerDevice());
    }

    public int maxSensorsPerDevice() {
        return maxSensorsPerDevice;
    }

    /**
     * The sensor names {@code deviceId} has used so far, as an immutable snapshot (empty for a device not seen): for
     * a hot path that checks a batch's names against it and calls {@link #admit} only if one is new.
     */
    public KnownSensors known(String deviceId) {
        DeviceSensors device = devices.get(deviceId);
        return device == null ? KnownSensors.EMPTY : device.known;
    }

    /**
     * Admits the sensor names if the device's new ones fit into its limit, and records them; else records nothing.
     *
     * @return whether the names are admitted
     */
    public boolean admit(String deviceId, Collection<String> sensorNames) {
        return admitFirstUnfit(deviceId, sensorNames) == null;
    }

    /**
     * Admits a batch's sensor names as {@link #admit(String, Collection)} does, and when they do not fit, says which
     * reading is the first whose sensor does not.
     *
     * @return the {@link ContractRule#TOO_MANY_SENSORS} violation, or empty if admitted (and recorded)
     */
    public Optional<ContractViolation> admit(String deviceId, ReadingBatch batch) {
        KnownSensors known = known(deviceId);
        boolean allKnown = true;
        for (int i = 0; i < batch.getReadingsCount() && allKnown; i++) {
            allKnown = known.contains(batch.getReadings(i).getSensor());
        }
        if (allKnown) {
            return Optional.empty();
        }
        List<String> names = new ArrayList<>(batch.getReadingsCount());
        for (int i = 0; i < batch.getReadingsCount(); i++) {
            names.add(batch.getReadings(i).getSensor());
        }
        String unfit = admitFirstUnfit(deviceId, names);
        if (unfit == null) {
            return Optional.empty();
        }
        int index = names.indexOf(unfit);
        return Optional.of(new ContractViolation(ContractRule.TOO_MANY_SENSORS, index, "reading " + index
                + " (sensor '" + Texts.quote(unfit) + "'): device would use more than the maximum of "
                + maxSensorsPerDevice + " distinct sensor names (it has " + known(deviceId).size() + ")"));
    }

    /** Forgets a device's sensors (e.g. when it is deleted from the registry). */
    public void forget(String deviceId) {
        devices.remove(deviceId);
    }

    public int trackedDevices() {
        return devices.size();
    }

    /** The first of the names that does not fit (nothing recorded then), or null when all were admitted. */
    private String admitFirstUnfit(String deviceId, Collection<String> sensorNames) {
        KnownSensors known = known(deviceId);
        Set<String> fresh = null;
        for (String name : sensorNames) {
            if (!known.contains(name)) {
                if (fresh == null) {
                    fresh = new LinkedHashSet<>();
                }
                fresh.add(name);
            }
        }
        if (fresh == null) {
            return null;
        }
        // a device's names only grow, so a batch that does not fit the snapshot never fits: refuse it without a lock,
        // and without creating an entry for a device whose first batch is a flood
        int snapshotRoom = maxSensorsPerDevice - known.size();
        if (fresh.size() > snapshotRoom) {
            return nth(fresh, Math.max(snapshotRoom, 0));
        }
        DeviceSensors device = devices.computeIfAbsent(deviceId, id -> new DeviceSensors());
        synchronized (device) {
            KnownSensors current = device.known;
            fresh.removeIf(current::contains); // another thread may have added some meanwhile
            int room = maxSensorsPerDevice - current.size();
            if (fresh.size() > room) {
                return nth(fresh, Math.max(room, 0));
            }
            if (!fresh.isEmpty()) {
                device.known = current.plus(fresh);
            }
            return null;
        }
    }

    private static String nth(Set<String> names, int index) {
        int i = 0;
        for (String name : names) {
            if (i++ == index) {
                return name;
            }
        }
        throw new IllegalStateException("no name at " + index);
    }

    private static final class DeviceSensors {
        /** Replaced, never changed; volatile so readers without the lock see a complete table. */
        volatile KnownSensors known = KnownSensors.EMPTY;
    }

    /**
     * An immutable set of one device's sensor names, looked up by name or by the name's UTF-8 bytes without
     * allocating (for ASCII names, which are all the contract allows).
     */
    public static final class KnownSensors {

        static final KnownSensors EMPTY = new KnownSensors(new byte[1][], 0);

        /** Open addressing, linear probing; null = free slot. Its length is a power of two, at least twice the size. */
        private final byte[][] slots;
        private final int size;

        private KnownSensors(byte[][] slots, int size) {
            this.slots = slots;
            this.size = size;
        }

        public int size() {
            return size;
        }

        public boolean contains(String name) {
            if (size == 0) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                if (name.charAt(i) >= 0x80) {
                    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
                    return contains(utf8, 0, utf8.length);
                }
            }
            int mask = slots.length - 1;
            for (int slot = spread(hashAscii(name)) & mask; ; slot = (slot + 1) & mask) {
                byte[] candidate = slots[slot];
                if (candidate == null) {
                    return false;
                }
                if (equalsAscii(candidate, name)) {
                    return true;
                }
            }
        }

        /** Whether the name whose UTF-8 bytes are {@code utf8[offset, offset + length)} is in the set. */
        public boolean contains(byte[] utf8, int offset, int length) {
            if (size == 0) {
                return false;
            }
            int mask = slots.length - 1;
            for (int slot = spread(hash(utf8, offset, length)) & mask; ; slot = (slot + 1) & mask) {
                byte[] candidate = slots[slot];
                if (candidate == null) {
                    return false;
                }
                if (equalBytes(candidate, utf8, offset, length)) {
                    return true;
                }
            }
        }

        KnownSensors plus(Collection<String> names) {
            int newSize = size + names.size();
            int capacity = Integer.highestOneBit(Math.max(4, newSize * 2 - 1)) << 1;
            byte[][] table = new byte[capacity][];
            for (byte[] existing : slots) {
                if (existing != null) {
                    insert(table, existing);
                }
            }
            for (String name : names) {
                insert(table, name.getBytes(StandardCharsets.UTF_8));
            }
            return new KnownSensors(table, newSize);
        }

        private static void insert(byte[][] table, byte[] name) {
            int mask = table.length - 1;
            int slot = spread(hash(name, 0, name.length)) & mask;
            while (table[slot] != null) {
                slot = (slot + 1) & mask;
            }
            table[slot] = name;
        }

        private static int hash(byte[] bytes, int offset, int length) {
            int h = 0;
            for (int i = offset; i < offset + length; i++) {
                h = 31 * h + (bytes[i] & 0xff);
            }
            return h;
        }

        /** A plain loop: names are short, shorter than the set-up of a vectorized comparison. */
        private static boolean equalBytes(byte[] candidate, byte[] bytes, int offset, int length) {
            if (candidate.length != length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (candidate[i] != bytes[offset + i]) {
                    return false;
                }
            }
            return true;
        }

        private static int hashAscii(String name) {
            int h = 0;
            for (int i = 0; i < name.length(); i++) {
                h = 31 * h + name.charAt(i);
            }
            return h;
        }

        private static boolean equalsAscii(byte[] candidate, String name) {
            if (candidate.length != name.length()) {
                return false;
            }
            for (int i = 0; i < candidate.length; i++) {
                if (candidate[i] != (byte) name.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
        }
    }
}
