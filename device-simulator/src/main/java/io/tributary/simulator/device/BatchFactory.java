package io.tributary.simulator.device;

import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.simulator.anomaly.DeviceAnomalies;
import io.tributary.simulator.sensor.SensorModel;
import java.util.Arrays;
import java.util.List;

/**
 * Builds one device's batches: consecutive sequence numbers and event timestamps that are strictly increasing per sensor,
 * because a reading is identified in storage by device, sensor and timestamp (DESIGN.md, guarantee 2).
 *
 * <p>Values follow the device's virtual clock (sample {@code k} is at {@code start + k × sampleInterval} seconds since the
 * fleet started) so that a seed repeats them exactly; event timestamps follow the wall clock, as a real device's do.
 * Not thread-safe: one device, one caller at a time.
 */
public final class BatchFactory {

    /** Starts with field 1 of wire type 7, which does not exist: no protobuf parser accepts it. */
    static final byte[] MALFORMED_PAYLOAD = {0x0f, (byte) 0xff, (byte) 0xff, 0x00, 0x42};

    private final String deviceId;
    private final List<SensorModel> sensors;
    private final int readingsPerSensor;
    private final double sampleIntervalSeconds;
    private final double startSeconds;
    private final DeviceAnomalies anomalies;
    private final long[] lastEventTime;
    private long nextSeq = 1;
    private long nextSample;
    private long previousCloseTime = Long.MIN_VALUE;

    /**
     * @param sampleIntervalSeconds virtual time between two samples of a sensor
     * @param startSeconds          virtual time of the device's first sample
     */
    public BatchFactory(String deviceId, List<SensorModel> sensors, int readingsPerSensor, double sampleIntervalSeconds,
            double startSeconds, DeviceAnomalies anomalies) {
        if (sensors.isEmpty()) {
            throw new IllegalArgumentException("a device needs at least one sensor");
        }
        if (readingsPerSensor < 1) {
            throw new IllegalArgumentException("readingsPerSensor must be at least 1");
        }
        this.deviceId = deviceId;
        this.sensors = List.copyOf(sensors);
        this.readingsPerSensor = readingsPerSensor;
        this.sampleIntervalSeconds = sampleIntervalSeconds;
        this.startSeconds = startSeconds;
        this.anomalies = anomalies;
        this.lastEventTime = new long[sensors.size()];
        Arrays.fill(lastEventTime, Long.MIN_VALUE);
    }

    /** See {@link DeviceAnomalies#replayDepth()}. */
    public int replayDepth() {
        return anomalies.replayDepth();
    }

    /**
     * Closes the batch covering the time since the previous one (or {@code intervalNanos} for the first), spreading each
     * sensor's readings evenly over it.
     *
     * @return the batch, or null if the device is silent now (its samples are skipped, not delayed)
     */
    public OutgoingBatch next(long closeTimeUnixNanos, long intervalNanos) {
        long start = previousCloseTime == Long.MIN_VALUE ? closeTimeUnixNanos - intervalNanos : previousCloseTime;
        long span = Math.max(closeTimeUnixNanos - start, readingsPerSensor);
        previousCloseTime = closeTimeUnixNanos;
        double batchTime = virtualTime(nextSample);
        if (anomalies.silent(batchTime)) {
            // Sampled and dropped, so the noise afterwards is what it would have been without the silence.
            for (int r = 0; r < readingsPerSensor; r++) {
                double t = virtualTime(nextSample++);
                sensors.forEach(sensor -> sensor.sample(t));
            }
            return null;
        }

        int skipped = anomalies.seqsToSkip(batchTime);
        nextSeq += skipped;
        long closeSkew = anomalies.clockSkewNanos(virtualTime(nextSample + readingsPerSensor - 1));
        ReadingBatch.Builder batch = ReadingBatch.newBuilder()
                .setDeviceId(deviceId)
                .setBatchSeq(nextSeq++)
                .setCreatedAtUnixNanos(closeTimeUnixNanos + closeSkew); // a skewed clock dates the batch too
        for (int r = 1; r <= readingsPerSensor; r++) {
            double t = virtualTime(nextSample++);
            long nominal = start + span * r / readingsPerSensor;
            long skew = anomalies.clockSkewNanos(t);
            for (int s = 0; s < sensors.size(); s++) {
                long eventTime = Math.max(nominal, lastEventTime[s] + 1);
                lastEventTime[s] = eventTime;
                SensorModel sensor = sensors.get(s);
                batch.addReadings(Reading.newBuilder()
                        .setSensor(sensor.name())
                        .setUnit(sensor.unit())
                        .setValue(anomalies.value(s, t, sensor.sample(t)))
                        // Skew shifts what the device reports, not the order kept for uniqueness.
                        .setEventTimeUnixNanos(eventTime + skew));
            }
        }
        ReadingBatch built = batch.build();
        boolean malformed = anomalies.malformed(batchTime);
        byte[] payload = malformed ? MALFORMED_PAYLOAD.clone() : built.toByteArray();
        return new OutgoingBatch(built.getBatchSeq(), built.getReadingsCount(), payload, malformed,
                anomalies.duplicate(batchTime), false, skipped, anomalies.batchesToReplay(batchTime), closeSkew);
    }

    private double virtualTime(long sample) {
        return startSeconds + sample * sampleIntervalSeconds;
    }
}
