package io.tributary.simulator.device;

import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.simulator.sensor.SensorModel;
import java.util.List;

/**
 * Builds one device's batches: consecutive sequence numbers and event timestamps that are strictly increasing per sensor,
 * because a reading is identified in storage by device, sensor and timestamp (DESIGN.md, guarantee 2).
 * Not thread-safe: one device, one caller at a time.
 */
public final class BatchFactory {

    private final String deviceId;
    private final List<SensorModel> sensors;
    private final int readingsPerSensor;
    private final long[] lastEventTime;
    private long nextSeq = 1;
    private long previousCloseTime = Long.MIN_VALUE;

    public BatchFactory(String deviceId, List<SensorModel> sensors, int readingsPerSensor) {
        if (sensors.isEmpty()) {
            throw new IllegalArgumentException("a device needs at least one sensor");
        }
        if (readingsPerSensor < 1) {
            throw new IllegalArgumentException("readingsPerSensor must be at least 1");
        }
        this.deviceId = deviceId;
        this.sensors = List.copyOf(sensors);
        this.readingsPerSensor = readingsPerSensor;
        this.lastEventTime = new long[sensors.size()];
        java.util.Arrays.fill(lastEventTime, Long.MIN_VALUE);
    }

    /**
     * Closes the batch covering the time since the previous one (or {@code intervalNanos} for the first), spreading each
     * sensor's readings evenly over it.
     */
    public ReadingBatch next(long closeTimeUnixNanos, long intervalNanos) {
        long start = previousCloseTime == Long.MIN_VALUE ? closeTimeUnixNanos - intervalNanos : previousCloseTime;
        long span = Math.max(closeTimeUnixNanos - start, readingsPerSensor);
        previousCloseTime = closeTimeUnixNanos;

        ReadingBatch.Builder batch = ReadingBatch.newBuilder()
                .setDeviceId(deviceId)
                .setBatchSeq(nextSeq++)
                .setCreatedAtUnixNanos(closeTimeUnixNanos);
        for (int r = 1; r <= readingsPerSensor; r++) {
            long nominal = start + span * r / readingsPerSensor;
            for (int s = 0; s < sensors.size(); s++) {
                long eventTime = Math.max(nominal, lastEventTime[s] + 1);
                lastEventTime[s] = eventTime;
                SensorModel sensor = sensors.get(s);
                batch.addReadings(Reading.newBuilder()
                        .setSensor(sensor.name())
                        .setUnit(sensor.unit())
                        .setValue(sensor.sample(eventTime))
                        .setEventTimeUnixNanos(eventTime));
            }
        }
        return batch.build();
    }
}
