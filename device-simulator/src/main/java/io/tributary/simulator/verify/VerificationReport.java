package io.tributary.simulator.verify;

import java.io.PrintStream;
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

    private static final int MAX_LISTED = 20;

    /** Nothing acknowledged is missing from storage. */
    public boolean complete() {
        return lostReadings == 0;
    }

    /** No loss, nothing stored twice or against a refusal, every expected alert present. */
    public boolean passed() {
        return lostReadings == 0 && unexplainedExtra == 0 && missingAlerts.isEmpty();
    }

    /** Prints the report for a person: totals, then what is wrong, device by device (the first 20). */
    public void print(PrintStream out) {
        out.printf("acknowledged readings   %,d%n", publishedReadings());
        out.printf("stored readings         %,d%n", storedReadings());
        out.printf("lost readings           %,d%s%n", lostReadings(),
                lostReadings() > 0 ? "   <-- acknowledged but not in InfluxDB" : "");
        out.printf("extra readings          %,d (unexplained: %,d)%s%n", extraReadings(),
                unexplainedExtra(), unexplainedExtra() > 0
                        ? "   <-- stored twice under other timestamps, or stored although refused" : "");
        out.printf("refused readings        %,d (malformed or refused batches; not expected in storage)%n",
                rejectedReadings());
        out.printf("duplicate publishes     %,d acknowledged again (stored once: same device, sensor, timestamp)%n",
                duplicateAcks());
        out.printf("unsettled batches       %,d (neither acknowledged nor refused when the ledger was written)%n",
                unsettledBatches());
        out.printf("expected alerts         %,d, missing %,d%n", expectedAlerts(), missingAlerts().size());
        listFirst(out, devicesWithLoss().entrySet().stream()
                .map(device -> String.format("  LOSS   %s: %,d readings", device.getKey(), device.getValue())).toList(),
                "devices with loss");
        listFirst(out, missingAlerts().stream().map(alert -> "  MISSING ALERT   " + alert).toList(),
                "missing alerts");
        out.println(passed() ? "RESULT: PASS" : "RESULT: FAIL");
    }

    private static void listFirst(PrintStream out, List<String> lines, String what) {
        lines.stream().limit(MAX_LISTED).forEach(out::println);
        if (lines.size() > MAX_LISTED) {
            out.printf("  ... and %,d more %s%n", lines.size() - MAX_LISTED, what);
        }
    }
}
