package io.tributary.simulator.verify;

import java.io.PrintStream;
import java.util.List;

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
        listFirst(out, report.devicesWithLoss().entrySet().stream()
                .map(device -> String.format("  LOSS   %s: %,d readings", device.getKey(), device.getValue())).toList(),
                "devices with loss");
        listFirst(out, report.missingAlerts().stream().map(alert -> "  MISSING ALERT   " + alert).toList(),
                "missing alerts");
        out.println(report.passed() ? "RESULT: PASS" : "RESULT: FAIL");
    }

    private static void listFirst(PrintStream out, List<String> lines, String what) {
        lines.stream().limit(MAX_LISTED).forEach(out::println);
        if (lines.size() > MAX_LISTED) {
            out.printf("  ... and %,d more %s%n", lines.size() - MAX_LISTED, what);
        }
    }
}
