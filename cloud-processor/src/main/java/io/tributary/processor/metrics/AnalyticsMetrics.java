package io.tributary.processor.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.tributary.processor.health.DeviceHealthState;
import io.tributary.processor.streams.StreamsListener;
import io.tributary.proto.v1.AlertEvent;

/** Counters of the Streams part (rollups, alerts); thread-safe, readable from any thread. */
public final class AnalyticsMetrics implements StreamsListener {

    private final LongAdder invalidRecords = new LongAdder();
    private final LongAdder readingsProcessed = new LongAdder();
    private final LongAdder lateReadings = new LongAdder();
    private final LongAdder rollupsEmitted = new LongAdder();
    private final LongAdder alertsFiring = new LongAdder();
    private final LongAdder alertsResolved = new LongAdder();

    @Override
    public void invalidRecord() {
        invalidRecords.increment();
    }

    @Override
    public void readingsProcessed(int readings) {
        readingsProcessed.add(readings);
    }

    @Override
    public void lateReading() {
        lateReadings.increment();
    }

    @Override
    public void rollupEmitted() {
        rollupsEmitted.increment();
    }

    @Override
    public void alertTransition(AlertEvent event) {
        if (event.getState() == AlertEvent.AlertState.FIRING) {
            alertsFiring.increment();
        } else {
            alertsResolved.increment();
        }
    }

    private final Map<String, LongAdder> contractViolations = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> skipped = new ConcurrentHashMap<>();

    @Override
    public void contractViolation(String rule) {
        contractViolations.computeIfAbsent(rule, r -> new LongAdder()).increment();
    }

    @Override
    public void readingBeyondFuture() {
        skip("reading_beyond_future");
    }

    @Override
    public void rollupSensorSkipped() {
        skip("window_entry_full");
    }

    @Override
    public void deviceIdTooLong() {
        skip("device_id_too_long");
    }

    @Override
    public void processingError(String node) {
        skip("processing_error");
    }

    @Override
    public void productionError(String topic) {
        skip("production_error");
    }

    private void skip(String reason) {
        skipped.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** Telemetry batches Streams skipped because they break the input contract, by rule. */
    public Map<String, Long> contractViolations() {
        return snapshot(contractViolations);
    }

    /**
     * Readings or records Streams skipped, by reason: {@code reading_beyond_future}, {@code window_entry_full},
     * {@code device_id_too_long}, {@code processing_error}, {@code production_error}.
     */
    public Map<String, Long> skipped() {
        return snapshot(skipped);
    }

    /** The live counters behind the maps above, for the meter registry (read at scrape time only). */
    Map<String, LongAdder> contractViolationCounters() {
        return contractViolations;
    }

    Map<String, LongAdder> skippedCounters() {
        return skipped;
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
        Map<String, Long> result = new TreeMap<>();
        counters.forEach((k, v) -> result.put(k, v.sum()));
        return result;
    }

    /** Telemetry records Streams skipped as invalid (the readings writer dead-letters them). */
    public long invalidRecords() {
        return invalidRecords.sum();
    }

    /** Readings run through rollups and alert rules (counted again when a task is re-processed after a crash). */
    public long readingsProcessed() {
        return readingsProcessed.sum();
    }

    /** Readings that arrived after their window closed (end + grace). */
    public long lateReadings() {
        return lateReadings.sum();
    }

    public long rollupsEmitted() {
        return rollupsEmitted.sum();
    }

    public long alertsFiring() {
        return alertsFiring.sum();
    }

    public long alertsResolved() {
        return alertsResolved.sum();
    }

    @Override
    public String toString() {
        return "AnalyticsMetrics[readingsProcessed=" + readingsProcessed() + ", lateReadings=" + lateReadings()
                + ", rollupsEmitted=" + rollupsEmitted() + ", alertsFiring=" + alertsFiring() + ", alertsResolved="
                + alertsResolved() + ", invalidRecords=" + invalidRecords() + "]";
    }

    private final LongAdder sequenceGaps = new LongAdder();
    private final LongAdder lateBatches = new LongAdder();
    private final LongAdder duplicateBatches = new LongAdder();
    private final LongAdder counterRestarts = new LongAdder();
    private final Map<String, Integer> devicesWithGaps = new ConcurrentHashMap<>();

    @Override
    public void deviceHealthChange(DeviceHealthState.Change change) {
        if (change.newGaps() > 0) {
            sequenceGaps.add(change.newGaps());
        }
        if (change.late()) {
            lateBatches.increment();
        }
        if (change.duplicate()) {
            duplicateBatches.increment();
        }
        if (change.restart()) {
            counterRestarts.increment();
        }
    }

    @Override
    public void devicesWithGaps(String task, int devices) {
        devicesWithGaps.put(task, devices);
    }

    /** Sequence numbers found skipped (a late batch may fill one later: see {@link #lateBatches()}). */
    public long sequenceGaps() {
        return sequenceGaps.sum();
    }

    public long lateBatches() {
        return lateBatches.sum();
    }

    public long duplicateBatches() {
        return duplicateBatches.sum();
    }

    public long counterRestarts() {
        return counterRestarts.sum();
    }

    /** Devices of this instance's Streams tasks with open sequence gaps, as of the last health emission. */
    public int devicesWithGaps() {
        return devicesWithGaps.values().stream().mapToInt(Integer::intValue).sum();
    }
}
