package io.tributary.simulator;

import io.tributary.cli.DurationConverter;
import io.tributary.simulator.ledger.LedgerFile;
import io.tributary.simulator.verify.InfluxTarget;
import io.tributary.simulator.verify.InfluxVerifier;
import io.tributary.simulator.verify.VerificationReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./tributary simulator verify}: holds a ledger file against InfluxDB. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compares a run's ledger file (--ledger of a simulator run) with InfluxDB and exits 1 on any loss.",
            "",
            "Checks, per device and sensor, that every acknowledged reading is stored (readings are counted: the schema "
                    + "has no batch sequence number, so a lost batch shows as a lower count, not as a named gap); "
                    + "that nothing is stored beyond what was acknowledged or could still have been in flight "
                    + "(readings stored twice under different timestamps, or a refused batch stored); and that every "
                    + "alert the scenario expects fired (measurement 'alerts', state 'firing').",
            "A duplicate publish of the same batch cannot appear twice in InfluxDB (same device, sensor and timestamp "
                    + "overwrite each other), so duplicates are checked as 'not counted twice'. Gaps by batch sequence "
                    + "number are the ledger's own: batches neither acknowledged nor refused are listed as unsettled.",
            "Exit codes: 0 all present, 1 loss, unexplained extra readings or a missing alert, 2 usage error."})
final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--ledger", required = true, paramLabel = "FILE", description = "The ledger file of the run.")
    Path ledger;

    @Mixin
    InfluxOptions influx;

    @Option(names = "--settle-time", defaultValue = "0s", converter = DurationConverter.class,
            description = "Keep checking for this long while something is missing (default: ${DEFAULT-VALUE}).")
    Duration settleTime;

    @Override
    public Integer call() throws Exception {
        InfluxTarget target = influx.target();
        if (target == null) {
            System.err.println("simulator verify: --influx-url is required");
            return 2;
        }
        LedgerFile.Contents contents = LedgerFile.read(ledger);
        System.out.printf("Ledger %s: run %s, scenario %s, %,d devices, written %s%s%n", ledger, contents.runId(),
                contents.scenario(), contents.devices().size(), contents.writtenAt(),
                contents.finished() ? "" : " (periodic: the run did not finish)");
        VerificationReport report;
        try (InfluxVerifier verifier = new InfluxVerifier(target)) {
            report = verifier.verifyWithin(contents.devicePrefix(), contents::devices, settleTime);
        }
        report.print(System.out);
        return report.passed() ? 0 : 1;
    }
}
