package io.tributary.processor.rollup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.tributary.proto.v1.Rollup;

/**
 * The running aggregate of one device, sensor and window: count, min, max, sum and the value with the latest event
 * time. Immutable; {@link #add} returns a new one. Serialized compactly for the state store. Pure: no Kafka.
 */
public record RollupAccumulator(String device, String sensor, String window, long windowStartMs, long windowEndMs,
        long count, double min, double max, double sum, long lastTimeNanos, double last) {

    /** The aggregate of a single reading. */
    public static RollupAccumulator first(String device, String sensor, WindowSize window, long windowStartMs,
            double value, long eventTimeNanos) {
        return new RollupAccumulator(device, sensor, window.label(), windowStartMs, windowStartMs + window.sizeMs(),
                1, value, value, value, eventTimeNanos, value);
    }

    public RollupAccumulator add(double value, long eventTimeNanos) {
        boolean later = eventTimeNanos >= lastTimeNanos;
        return new RollupAccumulator(device, sensor, window, windowStartMs, windowEndMs, count + 1,
                Math.min(min, value), Math.max(max, value), sum + value, later ? eventTimeNanos : lastTimeNanos,
                later ? value : last);
    }

    public Rollup toRollup() {
        return Rollup.newBuilder()
                .setDeviceId(device)
                .setSensor(sensor)
                .setWindow(window)
                .setWindowStartUnixNanos(windowStartMs * 1_000_000L)
                .setWindowEndUnixNanos(windowEndMs * 1_000_000L)
                .setCount(count)
                .setMin(min)
                .setMax(max)
                .setMean(sum / count)
                .setLast(last)
                .build();
    }

    public byte[] toBytes() {
        byte[] d = device.getBytes(StandardCharsets.UTF_8);
        byte[] s = sensor.getBytes(StandardCharsets.UTF_8);
        byte[] w = window.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(12 + d.length + s.length + w.length + 8 * 8);
        buf.putInt(d.length).put(d).putInt(s.length).put(s).putInt(w.length).put(w);
        buf.putLong(windowStartMs).putLong(windowEndMs).putLong(count).putDouble(min).putDouble(max).putDouble(sum)
                .putLong(lastTimeNanos).putDouble(last);
        return buf.array();
    }

    public static RollupAccumulator fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        String d = string(buf);
        String s = string(buf);
        String w = string(buf);
        return new RollupAccumulator(d, s, w, buf.getLong(), buf.getLong(), buf.getLong(), buf.getDouble(),
                buf.getDouble(), buf.getDouble(), buf.getLong(), buf.getDouble());
    }

    private static String string(ByteBuffer buf) {
        byte[] b = new byte[buf.getInt()];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
