package io.tributary.processor.streams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.processor.rollup.DeviceWindow;
import io.tributary.processor.rollup.RollupAccumulator;
import io.tributary.processor.rollup.WindowSize;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.proto.v1.Rollup;

/**
 * Tumbling event-time windows per device, sensor and window size, emitted once when they close.
 *
 * <p>A window closes when {@code end + grace <= watermark}, where the watermark is the larger of the latest event time
 * seen on this task and the wall clock. It is checked by a wall-clock punctuator, so a window closes even when its
 * device, or the whole partition, goes quiet (Streams' {@code suppress} alone waits for stream time, which then never
 * moves). A reading whose window has already closed is late: counted, left out of the rollups (it is still stored raw
 * by the readings writer).
 *
 * <p>Open windows live in a changelogged store keyed {@code zero-padded end | label | device}, one entry holding every
 * sensor of the device ({@link DeviceWindow}): closing is one ordered range scan, and a batch costs one store write and
 * one changelog record per window size, not one per sensor and window size; the watermark lives in its own store, so after a crash or a rebalance a late reading cannot
 * reopen (and emit a second time) a window that was already emitted. Under {@code exactly_once_v2} the emitted rollup,
 * the deletion of its window and the watermark are committed together. The watermark is stored only where windows are
 * emitted, not on every batch: what matters after a restore is that it is at least the one each emission used, and a
 * store write per batch costs a changelog record per batch.
 */
final class RollupProcessor implements Processor<String, ReadingBatch, String, byte[]> {

    private static final Logger log = LoggerFactory.getLogger(RollupProcessor.class);

    /** Renamed from "rollup-windows" when entries became per device: the old changelog is not read. */
    static final String WINDOWS_STORE = "rollup-device-windows";
    static final String WATERMARK_STORE = "rollup-watermark";
    private static final String WATERMARK_KEY = "watermark";

    private final TopologySettings settings;
    private final StreamsListener listener;
    private final long graceMs;
    private final long maxFutureMs;
    private final long largestWindowMs;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> windows;
    private KeyValueStore<String, Long> watermarkStore;
    private KeyValueStore<String, String> metadata;
    private long watermark = Long.MIN_VALUE;
    private long storedWatermark = Long.MIN_VALUE;
    /**
     * The open windows this task has read or written, as the store holds them: the store is only changed here, so a
     * batch reads its windows without a store lookup and deserialization.
     */
    private final Map<String, DeviceWindow> open = new HashMap<>();

    RollupProcessor(TopologySettings settings, StreamsListener listener) {
        this.settings = settings;
        this.listener = listener;
        this.graceMs = settings.grace().toMillis();
        this.maxFutureMs = settings.maxEventFuture().toMillis();
        this.largestWindowMs = settings.windows().stream().mapToLong(WindowSize::sizeMs).max().orElse(0);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.windows = context.getStateStore(WINDOWS_STORE);
        this.watermarkStore = context.getStateStore(WATERMARK_STORE);
        this.metadata = context.getStateStore(MetadataUpdater.STORE);
        Long stored = watermarkStore.get(WATERMARK_KEY);
        watermark = stored == null ? Long.MIN_VALUE : stored;
        storedWatermark = watermark;
        open.clear(); // init also runs when a task is revived after its state was wiped and restored
        healFarFuture(context.currentSystemTimeMs());
        context.schedule(settings.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::closeWindows);
    }

    @Override
    public void process(Record<String, ReadingBatch> record) {
        String device = record.key();
        long now = context.currentSystemTimeMs();
        long wm = Math.max(watermark, now);
        // No single reading may move event-time progress beyond what the contract allows: a reading dated in 2200
        // once froze the rollups of its partition for good (every honest reading was late from then on).
        long futureLimitMs = now + maxFutureMs;
        // A batch usually holds several readings per sensor and window: aggregate them here, touch the store once
        // per window.
        Map<String, DeviceWindow> touched = new HashMap<>();
        List<WindowSize> sizes = settings.windows();
        // The readings of a batch mostly share their windows: look a window up only when its end changes.
        DeviceWindow[] current = new DeviceWindow[sizes.size()];
        long[] currentEnd = new long[sizes.size()];
        for (Reading reading : record.value().getReadingsList()) {
            long nanos = reading.getEventTimeUnixNanos();
            if (nanos <= 0 || !Double.isFinite(reading.getValue()) || reading.getSensor().isEmpty()) {
                continue; // the readings writer dead-letters it
            }
            long tsMs = Math.floorDiv(nanos, 1_000_000L);
            if (tsMs > futureLimitMs) {
                listener.readingBeyondFuture();
                continue;
            }
            wm = Math.max(wm, tsMs);
            for (int w = 0; w < current.length; w++) {
                WindowSize size = sizes.get(w);
                long start = size.windowStartMs(tsMs);
                long end = start + size.sizeMs();
                if (end + graceMs <= wm) {
                    listener.lateReading();
                    continue;
                }
                if (current[w] == null || currentEnd[w] != end) {
                    String key = key(end, size.label(), device);
                    DeviceWindow window = touched.get(key);
                    if (window == null) {
                        window = openWindow(key);
                        touched.put(key, window);
                    }
                    current[w] = window;
                    currentEnd[w] = end;
                }
                if (!current[w].add(device, reading.getSensor(), size, start, reading.getValue(), nanos,
                        settings.maxSensorsPerWindow(), settings.maxWindowEntryBytes())) {
                    listener.rollupSensorSkipped();
                }
            }
        }
        for (Map.Entry<String, DeviceWindow> entry : touched.entrySet()) {
            windows.put(entry.getKey(), entry.getValue().toBytes());
        }
        watermark = wm;
    }

    /** Emits and forgets every window with {@code end + grace <= max(watermark, now)}. */
    private void closeWindows(long wallClockMs) {
        watermark = Math.max(watermark, wallClockMs);
        if (watermark != storedWatermark) {
            watermarkStore.put(WATERMARK_KEY, watermark); // before any emission that relies on it
            storedWatermark = watermark;
        }
        long limit = watermark - graceMs; // close when end <= limit
        if (limit < 0) {
            return;
        }
        List<KeyValue<String, byte[]>> closed = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = windows.range(pad(0), pad(limit) + '\uffff')) {
            while (it.hasNext()) {
                closed.add(it.next());
            }
        }
        for (KeyValue<String, byte[]> entry : closed) {
            DeviceWindow window = decode(entry.key, entry.value);
            if (window != null) {
                // An entry holds one device: its labels as they are now, when the window closes.
                Map<String, String> labels = null;
                for (RollupAccumulator acc : window.accumulators()) {
                    if (labels == null) {
                        labels = MetadataUpdater.labelsOf(metadata, acc.device());
                    }
                    Rollup rollup = acc.toRollup();
                    if (!labels.isEmpty()) {
                        rollup = rollup.toBuilder().putAllLabels(labels).build();
                    }
                    context.forward(new Record<>(acc.device(), rollup.toByteArray(), wallClockMs));
                    listener.rollupEmitted();
                }
            }
            windows.delete(entry.key);
            open.remove(entry.key);
        }
    }

    /**
     * Repairs what a far-future reading left behind before the processor bounded event time: a watermark beyond wall
     * clock + max future is set back to the wall clock, and windows that end beyond wall clock + max future + the
     * largest window (none can be legitimate) are dropped, so they do not wait in the store until that date.
     */
    private void healFarFuture(long nowMs) {
        long limit = nowMs + maxFutureMs;
        if (watermark > limit) {
            log.warn("Rollup watermark was beyond wall clock + max-event-future (a far-future reading before the "
                    + "bound); setting it back to the wall clock [watermark: {}, now: {}]", watermark, nowMs);
            watermark = nowMs;
            watermarkStore.put(WATERMARK_KEY, watermark);
            storedWatermark = watermark;
        }
        long lastLegitimateEnd = limit + largestWindowMs;
        if (lastLegitimateEnd < 0 || lastLegitimateEnd >= 999_999_999_999_999_999L) {
            return;
        }
        List<String> stale = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = windows.range(pad(lastLegitimateEnd + 1), "9999999999999999999"
                + '\uffff')) {
            while (it.hasNext()) {
                stale.add(it.next().key);
            }
        }
        if (!stale.isEmpty()) {
            log.warn("Dropping rollup windows that end beyond wall clock + max-event-future [windows: {}, first: {}]",
                    stale.size(), stale.get(0));
            stale.forEach(windows::delete);
        }
    }

    private DeviceWindow openWindow(String key) {
        DeviceWindow window = open.get(key);
        if (window == null) {
            byte[] stored = windows.get(key);
            window = stored == null ? null : decode(key, stored);
            if (window == null) {
                window = DeviceWindow.empty();
            }
            open.put(key, window);
        }
        return window;
    }

    /**
     * A store entry as a window, or null (counted, logged) if it cannot be read: one unreadable entry must not stop
     * every later window of the task from closing, which an exception in the punctuator would do at every run.
     */
    private DeviceWindow decode(String key, byte[] bytes) {
        try {
            return DeviceWindow.fromBytes(bytes);
        } catch (RuntimeException e) {
            listener.processingError("rollups");
            log.warn("Unreadable rollup window entry dropped [key: {}, bytes: {}]: {}", key, bytes.length,
                    e.toString());
            return null;
        }
    }

    static String key(long endMs, String label, String device) {
        return pad(endMs) + '|' + label + '|' + device;
    }

    /** Zero-padded so the store's byte order is numeric order (event times before 1970 are not supported). */
    private static String pad(long ms) {
        String digits = Long.toString(Math.max(0, ms));
        return "0".repeat(19 - digits.length()) + digits;
    }
}
