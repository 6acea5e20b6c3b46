package io.tributary.simulator.ledger;

/** One device's counters. Thread-safe: every method synchronizes on the device's ledger, which is never contended. */
public final class DeviceLedger {

    private final String deviceId;
    private long generatedReadings;
    private long publishedReadings;
    private long publishedBatches;
    private long rejectedReadings;
    private long rejectedBatches;
    private long retries;
    private long highestAckedSeq;

    DeviceLedger(String deviceId) {
        this.deviceId = deviceId;
    }

    public String deviceId() {
        return deviceId;
    }

    public synchronized void generated(int readings) {
        generatedReadings += readings;
    }

    public synchronized void acknowledged(long batchSeq, int readings) {
        publishedReadings += readings;
        publishedBatches++;
        highestAckedSeq = Math.max(highestAckedSeq, batchSeq);
    }

    public synchronized void rejected(int readings) {
        rejectedReadings += readings;
        rejectedBatches++;
    }

    public synchronized void retried() {
        retries++;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(generatedReadings, publishedReadings, publishedBatches, rejectedReadings, rejectedBatches,
                retries, highestAckedSeq);
    }

    /** The counters at one moment. */
    public record Snapshot(long generatedReadings, long publishedReadings, long publishedBatches, long rejectedReadings,
            long rejectedBatches, long retries, long highestAckedSeq) {
    }
}
