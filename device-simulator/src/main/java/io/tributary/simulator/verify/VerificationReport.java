package io.tributary.simulator.verify;

import java.util.Map;

/**
 * The ledger held against storage.
 *
 * @param publishedReadings readings the gateway acknowledged
 * @param storedReadings    readings of this run's devices found in InfluxDB
 * @param lostReadings      acknowledged but not stored, summed per device (a device cannot make up for another)
 * @param extraReadings     stored but never acknowledged, summed per device: a batch stored whose PUBACK was lost and
 *                          was not re-sent before the end (legitimate under at-least-once), or a duplicate timestamp bug
 * @param devicesWithLoss   the devices with lost readings and how many each lost
 */
public record VerificationReport(long publishedReadings, long storedReadings, long lostReadings, long extraReadings,
        Map<String, Long> devicesWithLoss) {

    public boolean complete() {
        return lostReadings == 0;
    }
}
