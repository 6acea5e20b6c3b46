package io.tributary.processor.streams;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.processor.health.DeviceHealthState;
import io.tributary.proto.v1.ReadingBatch;

/**
 * Per device: the batch sequence (gaps, late batches, duplicates, counter restarts), reported drops and clock distance
 * ({@link DeviceHealthState}), emitted as {@code DeviceHealth} every health interval (wall clock) for the devices that
 * sent batches since the previous emission.
 *
 * <p>Each batch writes its device's state to a changelogged store, in the same transaction as the input offset: after
 * a crash or a rebalance the state is the one of the last committed batch, so a gap is counted once. The cost per batch
 * is one state update and one store write of ~120 bytes, whatever the number of readings. The arrival time is the
 * telemetry record's timestamp (set when the gateway produced it). The device's labels are joined at emission, not
 * per batch.
 */
final class DeviceHealthProcessor implements Processor<String, ReadingBatch, String, byte[]> {

    private static final Logger log = LoggerFactory.getLogger(DeviceHealthProcessor.class);

    static final String STORE = "device-health";

    private final Duration interval;
    private final StreamsListener listener;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> store;
    private ReadOnlyKeyValueStore<String, String> metadata;
    private String task;
    /** Every device of this task's store, as stored: the store is only changed here. */
    private final Map<String, DeviceHealthState> devices = new HashMap<>();
    private final Set<String> changed = new LinkedHashSet<>();

    DeviceHealthProcessor(Duration interval, StreamsListener listener) {
        this.interval = interval;
        this.listener = listener;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.metadata = context.getStateStore(MetadataUpdater.STORE);
        this.task = context.taskId().toString();
        // init also runs when a task is revived after its state was wiped and restored
        devices.clear();
        changed.clear();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                try {
                    DeviceHealthState state = DeviceHealthState.fromBytes(entry.value);
                    devices.put(entry.key, state);
                    if (state.changed()) {
                        changed.add(entry.key);
                    }
                } catch (IllegalArgumentException e) {
                    listener.processingError("device-health");
                    log.warn("Unreadable device health entry dropped [device: {}]: {}", entry.key, e.getMessage());
                }
            }
        }
        reportDevicesWithGaps();
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::emit);
    }

    @Override
    public void process(Record<String, ReadingBatch> record) {
        String device = record.key();
        ReadingBatch batch = record.value();
        DeviceHealthState state = devices.computeIfAbsent(device, d -> new DeviceHealthState());
        DeviceHealthState.Change change = state.onBatch(batch.getBatchSeq(), batch.getCreatedAtUnixNanos(),
                record.timestamp(), batch.getDroppedReadings());
        if (change != DeviceHealthState.Change.NONE) {
            listener.deviceHealthChange(change);
        }
        store.put(device, state.toBytes());
        changed.add(device);
    }

    private void emit(long wallClockMs) {
        for (String device : changed) {
            DeviceHealthState state = devices.get(device);
            byte[] health = state.emit(device, wallClockMs).toBuilder()
                    .putAllLabels(MetadataUpdater.labelsOf(metadata, device)).build().toByteArray();
            context.forward(new Record<>(device, health, wallClockMs));
            store.put(device, state.toBytes());
        }
        if (!changed.isEmpty()) {
            changed.clear();
            reportDevicesWithGaps();
        }
    }

    private void reportDevicesWithGaps() {
        listener.devicesWithGaps(task, (int) devices.values().stream().filter(s -> s.gaps() > 0).count());
    }

    @Override
    public void close() {
        listener.devicesWithGaps(task, 0);
    }
}
