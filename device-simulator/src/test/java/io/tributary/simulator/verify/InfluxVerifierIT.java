package io.tributary.simulator.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.localstack.influx.ManagedInfluxd;
import io.tributary.simulator.ledger.DeviceLedger;
import io.tributary.simulator.ledger.LedgerFile;
import io.tributary.simulator.ledger.LossLedger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The verifier against a real InfluxDB (the local stack's influxd), with data written the way the processor writes. */
class InfluxVerifierIT {

    private static final String DB = "telemetry";
    private static final long T0 = 1_700_000_000_000_000_000L;

    @TempDir
    static Path dir;
    private static ManagedInfluxd influxd;
    private static InfluxTarget target;

    @BeforeAll
    static void startInflux() {
        influxd = ManagedInfluxd.start(ManagedInfluxd.Config.of(dir.resolve("influx")));
        influxd.createDatabase(DB);
        target = new InfluxTarget(influxd.url(), "", "", DB);
    }

    @AfterAll
    static void stopInflux() {
        if (influxd != null) {
            influxd.close();
        }
    }

    /** Device {@code id}: {@code batches} acknowledged batches of 2 readings of each of 2 sensors; stores them. */
    private static DeviceLedger ledgerAndStore(LossLedger ledger, String id, int batches, int storedBatches) {
        return ledgerAndStore(ledger, id, LongStream.rangeClosed(1, batches).toArray(), storedBatches);
    }

    /** As above, for the batches numbered {@code seqs}: the first {@code storedBatches} of them are stored. */
    private static DeviceLedger ledgerAndStore(LossLedger ledger, String id, long[] seqs, int storedBatches) {
        DeviceLedger device = ledger.device(id, "rooms", List.of("temperature", "humidity"));
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < seqs.length; i++) {
            long seq = seqs[i];
            device.generated(4);
            device.acknowledged(seq, 4);
            if (i < storedBatches) {
                for (int r = 0; r < 2; r++) {
                    long t = T0 + (seq * 2L + r) * 1_000_000L;
                    lines.append("readings,device=").append(id).append(",sensor=temperature value=21.5 ").append(t)
                            .append('\n');
                    lines.append("readings,device=").append(id).append(",sensor=humidity value=50 ").append(t)
                            .append('\n');
                }
            }
        }
        write(lines.toString());
        return device;
    }

    private static void alert(String device, String rule, String state) {
        write("alerts,device=" + device + ",rule=" + rule + ",severity=warning state=\"" + state
                + "\",value=30,threshold=23.5,message=\"test\" " + (T0 + 5_000_000_000L) + "\n");
    }

    private static void write(String lineProtocol) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(influxd.url() + "/write?db=" + DB + "&precision=n"))
                    .POST(HttpRequest.BodyPublishers.ofString(lineProtocol)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldPassWhenEveryAcknowledgedReadingAndExpectedAlertIsStored() {
        LossLedger ledger = new LossLedger();
        ledgerAndStore(ledger, "sim-ok-00001", 5, 5).expectAlert("temperature_high");
        ledgerAndStore(ledger, "sim-ok-00002", 3, 3);
        alert("sim-ok-00001", "temperature_high", "firing");
        // Storing the same batch again (a duplicate publish) overwrites: still no extra reading
        ledgerAndStore(new LossLedger(), "sim-ok-00002", 3, 3);

        VerificationReport report = verify("sim-ok-", ledger.snapshot());

        assertThat(report.publishedReadings()).isEqualTo(32);
        assertThat(report.storedReadings()).isEqualTo(32);
        assertThat(report.lostReadings()).isZero();
        assertThat(report.extraReadings()).isZero();
        assertThat(report.expectedAlerts()).isEqualTo(1);
        assertThat(report.missingAlerts()).isEmpty();
        assertThat(report.passed()).isTrue();
    }

    @Test
    void shouldNotCountSequenceNumbersSkippedOnPurposeAsLoss() {
        LossLedger ledger = new LossLedger();
        // Given a device that skipped numbers 3-5 (seq-gap): its batches are 1, 2, 6 and 7, all stored
        DeviceLedger gaps = ledgerAndStore(ledger, "sim-gap-00001", new long[] {1, 2, 6, 7}, 4);
        gaps.skipped(3, 5);

        VerificationReport report = verify("sim-gap-", ledger.snapshot());

        assertThat(report.lostReadings()).isZero();
        assertThat(report.unsettledBatches()).isZero();
        assertThat(ledger.snapshot().get("sim-gap-00001").unsettled().isEmpty()).isTrue();
        assertThat(report.passed()).isTrue();
    }

    @Test
    void shouldFailOnAMissingReadingNamingTheDevice() {
        LossLedger ledger = new LossLedger();
        ledgerAndStore(ledger, "sim-lost-00001", 5, 5);
        ledgerAndStore(ledger, "sim-lost-00002", 5, 4);

        VerificationReport report = verify("sim-lost-", ledger.snapshot());

        assertThat(report.lostReadings()).isEqualTo(4);
        assertThat(report.devicesWithLoss()).containsExactly(Map.entry("sim-lost-00002", 4L));
        assertThat(report.passed()).isFalse();
    }

    @Test
    void shouldFailOnAMissingExpectedAlertButNotOnAResolvedOneOnly() {
        LossLedger ledger = new LossLedger();
        ledgerAndStore(ledger, "sim-alert-00001", 2, 2).expectAlert("humidity_low");
        ledgerAndStore(ledger, "sim-alert-00002", 2, 2).expectAlert("humidity_low");
        alert("sim-alert-00001", "humidity_low", "firing");
        alert("sim-alert-00002", "humidity_low", "resolved");
        alert("sim-alert-00002", "temperature_high", "firing");

        VerificationReport report = verify("sim-alert-", ledger.snapshot());

        assertThat(report.lostReadings()).isZero();
        assertThat(report.missingAlerts()).containsExactly("sim-alert-00002/humidity_low");
        assertThat(report.passed()).isFalse();
    }

    @Test
    void shouldFailOnReadingsStoredBeyondWhatWasAcknowledgedOrPending() {
        LossLedger ledger = new LossLedger();
        ledgerAndStore(ledger, "sim-extra-00001", 2, 2);
        // The same reading stored under a second timestamp: a real duplicate
        write("readings,device=sim-extra-00001,sensor=temperature value=21.5 " + (T0 + 999_000_000L) + "\n");

        VerificationReport report = verify("sim-extra-", ledger.snapshot());

        assertThat(report.extraReadings()).isEqualTo(1);
        assertThat(report.unexplainedExtra()).isEqualTo(1);
        assertThat(report.passed()).isFalse();
    }

    @Test
    void shouldExitNonZeroFromTheVerifyCommandOnLossAndZeroWithout() throws Exception {
        LossLedger good = new LossLedger();
        ledgerAndStore(good, "sim-cli1-00001", 3, 3);
        Path goodFile = dir.resolve("good.json");
        LedgerFile.write(goodFile, "cli1", "sim-cli1-", "test", true, good.snapshot());
        LossLedger bad = new LossLedger();
        ledgerAndStore(bad, "sim-cli2-00001", 3, 1);
        Path badFile = dir.resolve("bad.json");
        LedgerFile.write(badFile, "cli2", "sim-cli2-", "test", true, bad.snapshot());

        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int goodExit;
        int badExit;
        try {
            goodExit = run("--ledger", goodFile.toString(), "--influx-url", influxd.url(), "--influx-bucket", DB);
            badExit = run("--ledger", badFile.toString(), "--influx-url", influxd.url(), "--influx-bucket", DB);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(goodExit).as(output).isZero();
        assertThat(badExit).as(output).isEqualTo(1);
        assertThat(output).contains("RESULT: PASS").contains("LOSS   sim-cli2-00001: 8 readings")
                .contains("RESULT: FAIL");
    }

    private static int run(String... args) {
        return new CommandLine(new io.tributary.simulator.SimulatorMain()).execute(
                java.util.stream.Stream.concat(java.util.stream.Stream.of("verify"), java.util.Arrays.stream(args))
                        .toArray(String[]::new));
    }

    private static VerificationReport verify(String prefix, Map<String, DeviceLedger.Snapshot> ledger) {
        try (InfluxVerifier verifier = new InfluxVerifier(target)) {
            return verifier.verify(prefix, ledger);
        }
    }
}
