package io.tributary.agent.batch;

import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** Collects readings between batches. Thread-safe. */
public final class BatchAssembler {

    private final String deviceId;
    private final BatchSequence sequence;
    private List<Reading> readings = new ArrayList<>();
    private final long[] lastEventTime = {Long.MIN_VALUE};

    public BatchAssembler(String deviceId, BatchSequence sequence) {
        this.deviceId = deviceId;
        this.sequence = sequence;
    }

    /**
     * Adds a reading. Event times are kept strictly increasing across the device, so two readings of a sensor never
     * share a timestamp (which would make the second overwrite the first in storage).
     */
    public synchronized void add(String sensor, String unit, double value, long eventTimeUnixNanos) {
        long eventTime = Math.max(eventTimeUnixNanos, lastEventTime[0] + 1);
        lastEventTime[0] = eventTime;
        readings.add(Reading.newBuilder().setSensor(sensor).setUnit(unit).setValue(value)
                .setEventTimeUnixNanos(eventTime).build());
    }

    /**
     * Closes the batch, or returns null when there is nothing to send. {@code droppedReadings} is asked only for a batch
     * that is sent, so a drop count is never lost with an empty batch.
     */
    public synchronized ReadingBatch close(long nowUnixNanos, LongSupplier droppedReadings) {
        if (readings.isEmpty()) {
            return null;
        }
        ReadingBatch batch = ReadingBatch.newBuilder()
                .setDeviceId(deviceId)
                .setBatchSeq(sequence.next())
                .setCreatedAtUnixNanos(nowUnixNanos)
                .addAllReadings(readings)
                .setDroppedReadings(droppedReadings.getAsLong())
                .build();
        readings = new ArrayList<>();
        return batch;
    }
}
