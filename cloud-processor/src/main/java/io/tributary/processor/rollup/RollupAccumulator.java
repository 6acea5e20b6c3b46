package io.tributary.processor.rollup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.tributary.proto.v1.Rollup;

/**
 * The running aggregate of one device, sensor and window: count, min, max, mean and the value with the latest event
 * time. Immutable; {@link #add} returns a new one. Serialized compactly for the state store. Pure: no Kafka.
 *
 * <p>The mean is kept as a running mean, not as sum / count: two readings of 1e308 have a sum of Infinity (which line
 * protocol cannot carry, and which once stopped the processor), while their mean is 1e308. See {@link #nextMean}.
 */
public record RollupAccumulator(String device, String sensor, String window, long windowStartMs, long windowEndMs,
        long count, double min, double max, double mean, long lastTimeNanos, double last) {

    /** The aggregate of a single reading. */
    public static RollupAccumulator first(String device, String sensor, WindowSize window, long windowStartMs,
            double value, long eventTimeNanos) {
        return new RollupAccumulator(device, sensor, window.label(), windowStartMs, windowStartMs + window.sizeMs(),
                1, value, value, value, eventTimeNanos, value);
    }

    public RollupAccumulator add(double value, long eventTimeNanos) {
        boolean later = eventTimeNanos >= lastTimeNanos;
        return new RollupAccumulator(device, sensor, window, windowStartMs, windowEndMs, count + 1,
                Math.min(min, value), Math.max(max, value), nextMean(mean, count + 1, value), later ? eventTimeNanos : lastTimeNanos,
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
                .setMean(mean)
                .setLast(last)
                .build();
    }

    public byte[] toBytes() {
        byte[] d = device.getBytes(StandardCharsets.UTF_8);
        byte[] s = sensor.getBytes(StandardCharsets.UTF_8);
        byte[] w = window.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(12 + d.length + s.length + w.length + 8 * 8);
        buf.putInt(d.length).put(d).putInt(s.length).put(s).putInt(w.length).put(w);
        buf.putLong(windowStartMs).putLong(windowEndMs).putLong(count).putDouble(min).putDouble(max).putDouble(mean)
                .putLong(lastTimeNanos).putDouble(last);
        return buf.array();
    }

    /** Reads {@link #toBytes()}: the slot after max holds the mean. */
    public static RollupAccumulator fromBytes(byte[] bytes) {
        return fromBytes(bytes, false);
    }

    /**
     * Reads an accumulator; {@code slotIsSum} for entries written before the running mean (the slot held the sum),
     * which a changelog restored after an upgrade can still contain.
     */
    static RollupAccumulator fromBytes(byte[] bytes, boolean slotIsSum) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        String d = string(buf);
        String s = string(buf);
        String w = string(buf);
        long start = buf.getLong();
        long end = buf.getLong();
        long count = buf.getLong();
        double min = buf.getDouble();
        double max = buf.getDouble();
        double slot = buf.getDouble();
        double mean = slotIsSum ? slot / Math.max(1, count) : slot;
        return new RollupAccumulator(d, s, w, start, end, count, min, max, mean, buf.getLong(), buf.getDouble());
    }

    /**
     * The mean of n values, given the mean of the first n - 1 and the n-th value. Computed as
     * {@code mean + (value / n - mean / n)}: each term is at most |max| / n, so no intermediate overflows for finite
     * inputs (the textbook {@code mean + (value - mean) / n} overflows for 1e308 and -1e308). The result lies between
     * the old mean and the value, so it stays finite and within [min, max] up to rounding.
     */
    static double nextMean(double mean, long n, double value) {
        double next = mean + (value / n - mean / n);
        if (!Double.isFinite(next)) {
            // Unreachable for finite inputs; kept so a mean can never become what line protocol cannot carry.
            next = mean * ((double) (n - 1) / n) + value / n;
        }
        return next;
    }

    private static String string(ByteBuffer buf) {
        byte[] b = new byte[buf.getInt()];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
