package io.tributary.agent.batch;

import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.util.ArrayList;
import java.util.List;

/** Collects readings between batches; a batch is due at {@code maxReadings} readings or {@code maxAgeNanos}. Thread-safe. */
public final class BatchAssembler {

    private final String deviceId;
    private final int maxReadings;
    private final long maxAgeNanos;
    private List<Reading> readings = new ArrayList<>();
    private long lastEventTime = Long.MIN_VALUE;
    private long firstAddedAtNanos;

    public BatchAssembler(String deviceId, int maxReadings, long maxAgeNanos) {
        this.deviceId = deviceId;
        this.maxReadings = maxReadings;
        this.maxAgeNanos = maxAgeNanos;
    }

    /**
     * Adds a reading. Event times are kept strictly increasing across the device, so two readings of a sensor never
     * share a timestamp (which would make the second overwrite the first in storage).
     *
     * @return true when the batch is now full
     */
    public synchronized boolean add(String sensor, String unit, double value, long eventTimeUnixNanos,
            long monotonicNanos) {
        long eventTime = Math.max(eventTimeUnixNanos, lastEventTime + 1);
        lastEventTime = eventTime;
        if (readings.isEmpty()) {
            firstAddedAtNanos = monotonicNanos;
        }
        readings.add(Reading.newBuilder().setSensor(sensor).setUnit(unit).setValue(value)
                .setEventTimeUnixNanos(eventTime).build());
        return readings.size() >= maxReadings;
    }

    /** True when the batch holds readings and is full or its first reading is older than the age limit. */
    public synchronized boolean isDue(long monotonicNanos) {
        return !readings.isEmpty()
                && (readings.size() >= maxReadings || monotonicNanos - firstAddedAtNanos >= maxAgeNanos);
    }

    /** Closes the batch with sequence number {@code seq}, or returns null when there is nothing to send. */
    public synchronized ReadingBatch close(long seq, long nowUnixNanos, long droppedReadings) {
        if (readings.isEmpty()) {
            return null;
        }
        ReadingBatch batch = ReadingBatch.newBuilder()
                .setDeviceId(deviceId)
                .setBatchSeq(seq)
                .setCreatedAtUnixNanos(nowUnixNanos)
                .addAllReadings(readings)
                .setDroppedReadings(droppedReadings)
                .build();
        readings = new ArrayList<>();
        return batch;
    }
}
