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

    private final Map<String, RollupAccumulator> bySensor;

    private DeviceWindow(Map<String, RollupAccumulator> bySensor) {
        this.bySensor = bySensor;
    }

    public static DeviceWindow empty() {
        return new DeviceWindow(new LinkedHashMap<>(4));
    }

    /** Adds one reading of {@code sensor} to this device's window. */
    public void add(String device, String sensor, WindowSize size, long windowStartMs, double value,
            long eventTimeNanos) {
        RollupAccumulator acc = bySensor.get(sensor);
        bySensor.put(sensor, acc == null
                ? RollupAccumulator.first(device, sensor, size, windowStartMs, value, eventTimeNanos)
                : acc.add(value, eventTimeNanos));
    }

    /** The aggregate of every sensor seen in this window, in the order the sensors first appeared. */
    public Collection<RollupAccumulator> accumulators() {
        return bySensor.values();
    }

    /** {@code count, (length, accumulator bytes)*}. */
    public byte[] toBytes() {
        List<byte[]> parts = new ArrayList<>(bySensor.size());
        int size = 4;
        for (RollupAccumulator acc : bySensor.values()) {
            byte[] bytes = acc.toBytes();
            parts.add(bytes);
            size += 4 + bytes.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size).putInt(parts.size());
        for (byte[] part : parts) {
            buf.putInt(part.length).put(part);
        }
        return buf.array();
    }

    public static DeviceWindow fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int count = buf.getInt();
        if (count < 0 || count > bytes.length / 4) {
            throw new IllegalArgumentException("not a DeviceWindow: " + count + " sensors in " + bytes.length
                    + " bytes");
        }
        Map<String, RollupAccumulator> bySensor = new LinkedHashMap<>(Math.max(4, count * 2));
        for (int i = 0; i < count; i++) {
            byte[] part = new byte[buf.getInt()];
            buf.get(part);
            RollupAccumulator acc = RollupAccumulator.fromBytes(part);
            bySensor.put(acc.sensor(), acc);
        }
        return new DeviceWindow(bySensor);
    }
}
