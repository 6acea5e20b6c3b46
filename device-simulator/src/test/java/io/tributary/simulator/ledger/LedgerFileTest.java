package io.tributary.simulator.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerFileTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadBackWhatItWrote() throws Exception {
        LossLedger ledger = new LossLedger();
        DeviceLedger a = ledger.device("sim-r1-00001", "rooms", List.of("temperature", "humidity"));
        for (int seq = 1; seq <= 5; seq++) {
            a.generated(4);
        }
        a.acknowledged(1, 4);
        a.acknowledged(2, 4);
        a.acknowledged(2, 4);
        a.rejected(3, 4);
        a.acknowledged(5, 4);
        a.expectAlert("temperature_high");
        ledger.device("sim-r1-00002", "meters", List.of("battery_voltage"));
        Map<String, DeviceLedger.Snapshot> written = ledger.snapshot();

        Path file = dir.resolve("sub/ledger.json");
        LedgerFile.write(file, "r1", "sim-r1-", "demo", true, written,
                Map.of("sim-r1-00001", Map.of("site", "plant-3", "kind", "room")));
        LedgerFile.Contents read = LedgerFile.read(file);

        assertThat(read.runId()).isEqualTo("r1");
        assertThat(read.devicePrefix()).isEqualTo("sim-r1-");
        assertThat(read.scenario()).isEqualTo("demo");
        assertThat(read.finished()).isTrue();
        assertThat(read.devices()).isEqualTo(written);
        assertThat(read.labels()).containsOnlyKeys("sim-r1-00001");
        assertThat(read.labels().get("sim-r1-00001")).isEqualTo(Map.of("site", "plant-3", "kind", "room"));
        DeviceLedger.Snapshot first = read.devices().get("sim-r1-00001");
        assertThat(first.ackedRanges()).isEqualTo("1-2,5");
        assertThat(first.publishedReadings()).isEqualTo(12);
        assertThat(first.duplicateAcks()).isEqualTo(1);
        assertThat(first.unsettled().toString()).isEqualTo("4");
        assertThat(Files.exists(dir.resolve("sub/ledger.json.tmp"))).isFalse();
    }

    @Test
    void shouldKeepSkippedNumbersReplaysAndSkewAndNotCountSkippedNumbersAsUnsettled() throws Exception {
        LossLedger ledger = new LossLedger();
        DeviceLedger gaps = ledger.device("sim-r1-00001", "rooms", List.of("temperature"));
        // batches 1, 2, then 6 after skipping 3-5, then 7 (unacknowledged)
        for (long seq : new long[] {1, 2, 6, 7}) {
            gaps.generated(1);
            if (seq != 7) {
                gaps.acknowledged(seq, 1);
            }
        }
        gaps.skipped(3, 5);
        gaps.replayed(2);
        gaps.clockSkew(-7_200_000);

        Path file = dir.resolve("ledger.json");
        LedgerFile.write(file, "r1", "sim-r1-", "demo", false, ledger.snapshot());
        DeviceLedger.Snapshot read = LedgerFile.read(file).devices().get("sim-r1-00001");

        assertThat(read).isEqualTo(ledger.snapshot().get("sim-r1-00001"));
        assertThat(read.skippedRanges()).isEqualTo("3-5");
        assertThat(read.skippedSeqs()).isEqualTo(3);
        assertThat(read.replayedBatches()).isEqualTo(2);
        assertThat(read.clockSkewMillis()).isEqualTo(-7_200_000);
        assertThat(read.unsettled()).as("skipped numbers were never sent").hasToString("7");
    }

    @Test
    void shouldReadALedgerWrittenBeforeSkippedNumbersExisted() throws Exception {
        Path file = dir.resolve("old.json");
        Files.writeString(file, "{\"format\":\"tributary-ledger/1\",\"run_id\":\"r1\",\"devices\":{\"d1\":{"
                + "\"profile\":\"p\",\"sensors\":[\"t\"],\"acked_batches\":\"1-2\",\"acked_readings\":2,"
                + "\"rejected_batches\":\"\",\"rejected_readings\":0,\"generated_batches\":2,"
                + "\"generated_readings\":2,\"publishes\":2,\"duplicate_acks\":0,\"retries\":0,"
                + "\"expected_alerts\":[]}}}");

        DeviceLedger.Snapshot read = LedgerFile.read(file).devices().get("d1");

        assertThat(read.skippedSeqs()).isZero();
        assertThat(read.replayedBatches()).isZero();
        assertThat(read.unsettled().isEmpty()).isTrue();
    }

    @Test
    void shouldRefuseAFileThatIsNoLedger() throws Exception {
        Path file = dir.resolve("other.json");
        Files.writeString(file, "{\"format\":\"something-else\"}");

        assertThatThrownBy(() -> LedgerFile.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a ledger file");
    }

    @Test
    void shouldKeepSequenceNumbersAsMergedRanges() {
        SeqRanges ranges = new SeqRanges();
        for (long seq : new long[] {3, 1, 2, 7, 5, 6, 10}) {
            assertThat(ranges.add(seq)).isTrue();
        }
        assertThat(ranges.add(6)).isFalse();
        assertThat(ranges).hasToString("1-3,5-7,10");
        assertThat(ranges.size()).isEqualTo(7);
        assertThat(SeqRanges.parse("1-3,5-7,10")).hasToString("1-3,5-7,10");
        assertThat(SeqRanges.missing(ranges, SeqRanges.parse("4"), 11)).hasToString("8-9,11");
        assertThatThrownBy(() -> SeqRanges.parse("5-3")).isInstanceOf(IllegalArgumentException.class);
    }
}
