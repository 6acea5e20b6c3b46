package io.tributary.simulator.verify;

import java.io.PrintStream;
import java.util.Map;

/** Prints a verification report for a person: totals, then what is wrong, device by device (the first 20). */
public final class ReportPrinter {

    private static final int MAX_LISTED = 20;

    private ReportPrinter() {
    }

    public static void print(VerificationReport report, PrintStream out) {
        out.printf("acknowledged readings   %,d%n", report.publishedReadings());
        out.printf("stored readings         %,d%n", report.storedReadings());
        out.printf("lost readings           %,d%s%n", report.lostReadings(),
                report.lostReadings() > 0 ? "   <-- acknowledged but not in InfluxDB" : "");
        out.printf("extra readings          %,d (unexplained: %,d)%s%n", report.extraReadings(),
                report.unexplainedExtra(), report.unexplainedExtra() > 0
                        ? "   <-- stored twice under other timestamps, or stored although refused" : "");
        out.printf("refused readings        %,d (malformed or refused batches; not expected in storage)%n",
                report.rejectedReadings());
        out.printf("duplicate publishes     %,d acknowledged again (stored once: same device, sensor, timestamp)%n",
                report.duplicateAcks());
        out.printf("unsettled batches       %,d (neither acknowledged nor refused when the ledger was written)%n",
                report.unsettledBatches());
        out.printf("expected alerts         %,d, missing %,d%n", report.expectedAlerts(), report.missingAlerts().size());
        int listed = 0;
        for (Map.Entry<String, Long> device : report.devicesWithLoss().entrySet()) {
            if (listed++ == MAX_LISTED) {
                out.printf("  ... and %,d more devices with loss%n", report.devicesWithLoss().size() - MAX_LISTED);
                break;
            }
            out.printf("  LOSS   %s: %,d readings%n", device.getKey(), device.getValue());
        }
        listed = 0;
        for (String alert : report.missingAlerts()) {
            if (listed++ == MAX_LISTED) {
                out.printf("  ... and %,d more missing alerts%n", report.missingAlerts().size() - MAX_LISTED);
                break;
            }
            out.printf("  MISSING ALERT   %s%n", alert);
        }
        out.println(report.passed() ? "RESULT: PASS" : "RESULT: FAIL");
    }
}
