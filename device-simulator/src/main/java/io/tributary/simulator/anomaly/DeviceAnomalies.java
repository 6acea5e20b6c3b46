package io.tributary.simulator.anomaly;

import io.tributary.simulator.scenario.Anomaly;
import java.util.Arrays;
import java.util.List;

/**
 * The scripted anomalies of one device, applied by virtual time (seconds since the fleet started, by the schedule), so
 * their effect on the values is as repeatable as the values themselves. Not thread-safe: one device, one caller.
 */
public final class DeviceAnomalies {

    public static final DeviceAnomalies NONE = new DeviceAnomalies(List.of(), List.of());

    private final List<Anomaly> anomalies;
    private final List<String> sensorNames;
    /** The value a stuck sensor repeats, per anomaly and sensor; NaN until the anomaly began. */
    private final double[][] stuckValues;
    /** Batches created within each anomaly's window so far (seq-gap, replay). */
    private final int[] batchesInWindow;

    public DeviceAnomalies(List<Anomaly> anomalies, List<String> sensorNames) {
        this.anomalies = List.copyOf(anomalies);
        this.sensorNames = List.copyOf(sensorNames);
        this.stuckValues = new double[anomalies.size()][];
        this.batchesInWindow = new int[anomalies.size()];
        for (int i = 0; i < anomalies.size(); i++) {
            if (anomalies.get(i).type() == Anomaly.Type.STUCK) {
                stuckValues[i] = new double[sensorNames.size()];
                Arrays.fill(stuckValues[i], Double.NaN);
            }
        }
    }

    /** The value of sensor {@code sensor} at virtual time {@code t}, after spikes, drifts and stuck sensors. */
    public double value(int sensor, double t, double value) {
        double result = value;
        for (int i = 0; i < anomalies.size(); i++) {
            Anomaly anomaly = anomalies.get(i);
            if (!anomaly.type().changesValues() || !anomaly.activeAt(t) || !appliesTo(anomaly, sensor)) {
                continue;
            }
            switch (anomaly.type()) {
                case SPIKE -> result += anomaly.amount();
                case DRIFT -> result += anomaly.amount() * (t - anomaly.startSeconds());
                case STUCK -> {
                    if (Double.isNaN(stuckValues[i][sensor])) {
                        stuckValues[i][sensor] = result;
                    }
                    result = stuckValues[i][sensor];
                }
                default -> { }
            }
        }
        return result;
    }

    /** How far the device's clock is off at virtual time {@code t}, in nanoseconds. */
    public long clockSkewNanos(double t) {
        return anomalies.stream().filter(a -> a.type() == Anomaly.Type.CLOCK_SKEW && a.activeAt(t))
                .mapToLong(a -> a.interval().toNanos()).sum();
    }

    /** The device publishes nothing for a batch starting at virtual time {@code t}. */
    public boolean silent(double t) {
        return active(Anomaly.Type.SILENT, t);
    }

    /** The device publishes the batch starting at {@code t} twice. */
    public boolean duplicate(double t) {
        return active(Anomaly.Type.DUPLICATE, t);
    }

    /** The device publishes bytes that are not a batch instead of the batch starting at {@code t}. */
    public boolean malformed(double t) {
        return active(Anomaly.Type.MALFORMED, t);
    }

    /**
     * Sequence numbers the device skips before the batch starting at {@code t} (seq-gap). Call once per batch created,
     * with {@link #batchesToReplay}: both count the batches of their window.
     */
    public int seqsToSkip(double t) {
        return counted(Anomaly.Type.SEQ_GAP, t);
    }

    /** Acknowledged batches the device sends again after the batch starting at {@code t} (replay). */
    public int batchesToReplay(double t) {
        return counted(Anomaly.Type.REPLAY, t);
    }

    /** The most batches a replay of this device re-sends at once: how many acknowledged ones it must keep. */
    public int replayDepth() {
        return anomalies.stream().filter(a -> a.type() == Anomaly.Type.REPLAY).mapToInt(Anomaly::count).max()
                .orElse(0);
    }

    private int counted(Anomaly.Type type, double t) {
        int total = 0;
        for (int i = 0; i < anomalies.size(); i++) {
            Anomaly anomaly = anomalies.get(i);
            if (anomaly.type() == type && anomaly.activeAt(t)) {
                int batch = batchesInWindow[i]++;
                if (batch == 0 || anomaly.everyBatches() > 0 && batch % anomaly.everyBatches() == 0) {
                    total += anomaly.count();
                }
            }
        }
        return total;
    }

    private boolean active(Anomaly.Type type, double t) {
        return anomalies.stream().anyMatch(anomaly -> anomaly.type() == type && anomaly.activeAt(t));
    }

    private boolean appliesTo(Anomaly anomaly, int sensor) {
        return anomaly.sensor() == null || anomaly.sensor().equals(sensorNames.get(sensor));
    }
}
