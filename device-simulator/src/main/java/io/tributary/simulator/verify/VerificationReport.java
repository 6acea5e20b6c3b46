package io.tributary.simulator.verify;

import java.util.List;
import java.util.Map;

/**
 * The ledger held against storage.
 *
 * @param publishedReadings  readings the gateway acknowledged (each batch once)
 * @param storedReadings     readings of this run's devices found in InfluxDB
 * @param lostReadings       acknowledged but not stored, summed per device and sensor (none can make up for another)
 * @param extraReadings      stored but never acknowledged, summed per device and sensor
 * @param devicesWithLoss    the devices with lost readings and how many each lost
 * @param unexplainedExtra   extra readings beyond what the device's unacknowledged batches could account for: stored
 *                           twice under different timestamps, or a refused batch stored after all
 * @param unsettledBatches   batches created but neither acknowledged nor refused (in flight when the ledger was written)
 * @param rejectedReadings   readings in batches the gateway refused for good (e.g. malformed payloads): not expected in
 *                           storage
 * @param duplicateAcks      acknowledgements of batches acknowledged before (deliberate duplicates and re-sends): each
 *                           is stored once, because a point is identified by device, sensor and timestamp
 * @param expectedAlerts     (device, rule) pairs the scenario must have caused
 * @param missingAlerts      those with no firing alert in storage, as {@code device/rule}
 */
public record VerificationReport(long publishedReadings, long storedReadings, long lostReadings, long extraReadings,
        Map<String, Long> devicesWithLoss, long unexplainedExtra, long unsettledBatches, long rejectedReadings,
        long duplicateAcks, int expectedAlerts, List<String> missingAlerts) {

    /** Nothing acknowledged is missing from storage. */
    public boolean complete() {
        return lostReadings == 0;
    }

    /** No loss, nothing stored twice or against a refusal, every expected alert present. */
    public boolean passed() {
        return lostReadings == 0 && unexplainedExtra == 0 && missingAlerts.isEmpty();
    }
}
