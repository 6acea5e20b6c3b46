package io.tributary.simulator.ledger;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What one device created, had acknowledged and had refused, by batch sequence number, and which alerts its anomalies
 * must cause. Thread-safe: every method synchronizes on the device's ledger, which is never contended.
 */
public final class DeviceLedger {

    private final String deviceId;
    private final String profile;
    private final List<String> sensors;
    private final SeqRanges acked = new SeqRanges();
    private final SeqRanges rejected = new SeqRanges();
    private final SeqRanges skipped = new SeqRanges();
    private final Set<String> expectedAlerts = new TreeSet<>();
    private long generatedReadings;
    private long generatedBatches;
    private long publishedReadings;
    private long rejectedReadings;
    private long publishes;
    private long duplicateAcks;
    private long retries;
    private long replayedBatches;
    private long clockSkewMillis;

    DeviceLedger(String deviceId, String profile, List<String> sensors) {
        this.deviceId = deviceId;
        this.profile = profile;
        this.sensors = List.copyOf(sensors);
    }

    public String deviceId() {
        return deviceId;
    }

    public synchronized void generated(int readings) {
        generatedReadings += readings;
        generatedBatches++;
    }

    /** A publish went out (first or repeated). */
    public synchronized void published() {
        publishes++;
    }

    /** The gateway acknowledged batch {@code batchSeq}; a second acknowledgement of it counts as a duplicate only. */
    public synchronized void acknowledged(long batchSeq, int readings) {
        if (acked.add(batchSeq)) {
            publishedReadings += readings;
        } else {
            duplicateAcks++;
        }
    }

    public synchronized void rejected(long batchSeq, int readings) {
        if (rejected.add(batchSeq)) {
            rejectedReadings += readings;
        }
    }

    /** The device skipped sequence numbers {@code first} to {@code last} on purpose (seq-gap): never sent. */
    public synchronized void skipped(long first, long last) {
        for (long seq = first; seq <= last; seq++) {
            skipped.add(seq);
        }
    }

    /** The device queued {@code batches} deliberate copies of batches it had sent (duplicate, replay). */
    public synchronized void replayed(int batches) {
        replayedBatches += batches;
    }

    /** How far the device's clock was off when it made its latest batch. */
    public synchronized void clockSkew(long millis) {
        clockSkewMillis = millis;
    }

    public synchronized void retried() {
        retries++;
    }

    public synchronized void expectAlert(String rule) {
        expectedAlerts.add(rule);
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(deviceId, profile, sensors, generatedReadings, generatedBatches, publishedReadings,
                acked.size(), rejectedReadings, rejected.size(), publishes, duplicateAcks, retries, acked.highest(),
                acked.toString(), rejected.toString(), List.copyOf(expectedAlerts), skipped.toString(), replayedBatches,
                clockSkewMillis);
    }

    /**
     * The ledger of one device at one moment.
     *
     * @param publishedReadings readings in batches the gateway acknowledged (each batch counted once)
     * @param ackedRanges       acknowledged batch sequence numbers, as ranges ({@code 1-120,122})
     * @param rejectedRanges    batch sequence numbers the gateway refused for good (e.g. 0x99), as ranges
     * @param duplicateAcks     acknowledgements of a batch acknowledged before (a deliberate duplicate or a re-send)
     * @param skippedRanges     sequence numbers the device skipped on purpose (seq-gap): gaps, never sent, not loss
     * @param replayedBatches   deliberate copies of sent batches the device queued (duplicate, replay anomalies)
     * @param clockSkewMillis   how far the device's clock was off at its latest batch (clock-skew anomaly)
     */
    public record Snapshot(String deviceId, String profile, List<String> sensors, long generatedReadings,
            long generatedBatches, long publishedReadings, long publishedBatches, long rejectedReadings,
            long rejectedBatches, long publishes, long duplicateAcks, long retries, long highestAckedSeq,
            String ackedRanges, String rejectedRanges, List<String> expectedAlerts, String skippedRanges,
            long replayedBatches, long clockSkewMillis) {

        /** Sequence numbers created but neither acknowledged nor refused (still in flight, or lost on the way). */
        public SeqRanges unsettled() {
            // Skipped numbers were never sent: neither unsettled nor lost, and the highest number created is above the
            // count of batches by as many.
            SeqRanges refusedOrSkipped = SeqRanges.parse(String.join(",", Stream.of(rejectedRanges, skippedRanges)
                    .filter(ranges -> !ranges.isEmpty()).toList()));
            return SeqRanges.missing(SeqRanges.parse(ackedRanges), refusedOrSkipped, generatedBatches + skippedSeqs());
        }

        /** How many sequence numbers the device skipped on purpose. */
        public long skippedSeqs() {
            return SeqRanges.parse(skippedRanges).size();
        }
    }
}
