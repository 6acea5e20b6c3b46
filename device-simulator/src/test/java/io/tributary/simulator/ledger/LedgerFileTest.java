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
