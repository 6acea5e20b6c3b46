package io.tributary.processor.rollup;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The open aggregates of one device in one window: one {@link RollupAccumulator} per sensor. The state store keeps one
 * of these per device and window instead of one entry per sensor, so a batch costs one store write (and one changelog
 * record) per window size, whatever the number of sensors in it. Mutable, owned by one processor task. Pure: no Kafka.
 */
public final class DeviceWindow {

    /**
     * First int of the current format (a negative number, so it cannot be mistaken for the sensor count that opened
     * the first format, whose accumulators held a sum where they now hold the running mean).
     */
    private static final int FORMAT_RUNNING_MEAN = -2;

    private final Map<String, RollupAccumulator> bySensor;
    /** The size of {@link #toBytes()}: kept up to date so the entry can be bounded without serializing it. */
    private int encodedBytes;

    private DeviceWindow(Map<String, RollupAccumulator> bySensor) {
        this.bySensor = bySensor;
        this.encodedBytes = 8;
        for (RollupAccumulator acc : bySensor.values()) {
            encodedBytes += encodedSize(acc.device(), acc.sensor(), acc.window());
        }
    }

    public static DeviceWindow empty() {
        return new DeviceWindow(new LinkedHashMap<>(4));
    }

    /**
     * Adds one reading of {@code sensor} unless it is a sensor this window does not hold yet and holding it would
     * pass {@code maxSensors} sensors or {@code maxBytes} serialized bytes: the entry is one state-store value and one
     * changelog record, which must stay below Kafka's record size however many sensors a device invents.
     *
     * @return false if the reading was left out (a new sensor beyond the bounds)
     */
    public boolean add(String device, String sensor, WindowSize size, long windowStartMs, double value,
            long eventTimeNanos, int maxSensors, int maxBytes) {
        RollupAccumulator acc = bySensor.get(sensor);
        if (acc != null) {
            bySensor.put(sensor, acc.add(value, eventTimeNanos));
            return true;
        }
        int added = encodedSize(device, sensor, size.label());
        if (bySensor.size() >= maxSensors || (long) encodedBytes + added > maxBytes) {
            return false;
        }
        bySensor.put(sensor, RollupAccumulator.first(device, sensor, size, windowStartMs, value, eventTimeNanos));
        encodedBytes += added;
        return true;
    }

    /** The size of {@link #toBytes()}. */
    public int encodedBytes() {
        return encodedBytes;
    }

    private static int encodedSize(String device, String sensor, String window) {
        return 4 + 12 + utf8Length(device) + utf8Length(sensor) + utf8Length(window) + 8 * 8;
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** The aggregate of every sensor seen in this window, in the order the sensors first appeared. */
    public Collection<RollupAccumulator> accumulators() {
        return bySensor.values();
    }

    /** {@code FORMAT_RUNNING_MEAN, count, (length, accumulator bytes)*}. */
    public byte[] toBytes() {
        List<byte[]> parts = new ArrayList<>(bySensor.size());
        int size = 8;
        for (RollupAccumulator acc : bySensor.values()) {
            byte[] bytes = acc.toBytes();
            parts.add(bytes);
            size += 4 + bytes.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size).putInt(FORMAT_RUNNING_MEAN).putInt(parts.size());
        for (byte[] part : parts) {
            buf.putInt(part.length).put(part);
        }
        return buf.array();
    }

    /** Reads {@link #toBytes()}, and the first format ({@code count, (length, accumulator with a sum)*}). */
    public static DeviceWindow fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int count = buf.getInt();
        boolean slotIsSum = true;
        if (count == FORMAT_RUNNING_MEAN && bytes.length >= 8) {
            count = buf.getInt();
            slotIsSum = false;
        }
        if (count < 0 || count > bytes.length / 4) {
            throw new IllegalArgumentException("not a DeviceWindow: " + count + " sensors in " + bytes.length
                    + " bytes");
        }
        Map<String, RollupAccumulator> bySensor = new LinkedHashMap<>(Math.max(4, count * 2));
        for (int i = 0; i < count; i++) {
            byte[] part = new byte[buf.getInt()];
            buf.get(part);
            RollupAccumulator acc = RollupAccumulator.fromBytes(part, slotIsSum);
            bySensor.put(acc.sensor(), acc);
        }
        return new DeviceWindow(bySensor);
    }
}
