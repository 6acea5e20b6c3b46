package io.tributary.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    private static BenchOptions options(int devices, List<Integer> rates, Duration warmup) {
        return new BenchOptions(Path.of("."), Path.of("out"), devices, Duration.ofMinutes(10), Duration.ofSeconds(40),
                warmup, rates, Duration.ofSeconds(60), 3, Duration.ofMillis(100), 1, null);
    }

    @Test
    void shouldTurnARateIntoEachDevicesBatchInterval() {
        // 1,000 devices × 10 readings every 100 ms = 100,000 readings/s.
        assertThat(BenchOptions.intervalMillis(1_000, 100_000)).isEqualTo(100);
        // 3 ms does not divide evenly: the offered rate is what the rounded interval gives.
        BenchOptions options = options(1_000, List.of(300_000), Duration.ofSeconds(10));
        assertThat(BenchOptions.intervalMillis(1_000, 300_000)).isEqualTo(33);
        assertThat(options.offered(300_000)).isCloseTo(303_030.3, org.assertj.core.data.Offset.offset(0.1));
    }

    @Test
    void shouldRejectRatesThatAreNotAscendingOrNeedSubMillisecondIntervals() {
        assertThatThrownBy(() -> options(1_000, List.of(40_000, 20_000), Duration.ofSeconds(10)))
                .hasMessageContaining("ascending");
        assertThatThrownBy(() -> options(10, List.of(1_000_000), Duration.ofSeconds(10)))
                .hasMessageContaining("more --devices");
        assertThatThrownBy(() -> options(1_000, List.of(), Duration.ofSeconds(10))).hasMessageContaining("--rates");
    }

    @Test
    void shouldRefuseAnUnusableKafkaConfigFileBeforeStartingAnything(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path bad = java.nio.file.Files.writeString(dir.resolve("kafka.properties"), "security.protocol\n");

        assertThatThrownBy(() -> new BenchOptions(Path.of("."), Path.of("out"), 10, Duration.ofMinutes(10),
                Duration.ofSeconds(40), Duration.ofSeconds(10), List.of(100), Duration.ofSeconds(60), 3,
                Duration.ofMillis(100), 1, bad)).hasMessageContaining("kafka.properties, line 1: expected KEY=VALUE");
        assertThatThrownBy(() -> new BenchOptions(Path.of("."), Path.of("out"), 10, Duration.ofMinutes(10),
                Duration.ofSeconds(40), Duration.ofSeconds(10), List.of(100), Duration.ofSeconds(60), 3,
                Duration.ofMillis(100), 1, dir.resolve("missing"))).hasMessageContaining("cannot read it");
    }

    private static BenchOptions kafka(Path config, int brokers, boolean secure) {
        return new BenchOptions(Path.of("."), Path.of("out"), 10, Duration.ofMinutes(10), Duration.ofSeconds(40),
                Duration.ofSeconds(10), List.of(100), Duration.ofSeconds(60), 3, Duration.ofMillis(100), 1, config,
                brokers, secure, java.util.Map.of(), java.util.Map.of());
    }

    @Test
    void shouldRefuseToShapeTheLocalKafkaWhenRunningAgainstAnotherOne(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path config = java.nio.file.Files.writeString(dir.resolve("kafka.properties"), "bootstrap.servers=h:9092\n");

        assertThatThrownBy(() -> kafka(config, 1, true)).hasMessageContaining("--kafka-config");
        assertThatThrownBy(() -> kafka(config, 3, false)).hasMessageContaining("--kafka-config");
        assertThatThrownBy(() -> kafka(null, 0, false)).hasMessageContaining("--brokers");
        assertThat(kafka(null, 3, true).brokers()).isEqualTo(3);
        assertThat(kafka(config, 1, false).kafkaConfig()).isEqualTo(config);
    }

    @Test
    void shouldRejectAWarmupThatLeavesNothingToMeasure() {
        assertThatThrownBy(() -> options(1_000, List.of(20_000), Duration.ofSeconds(39)))
                .hasMessageContaining("--warmup");
        assertThatThrownBy(() -> options(0, List.of(20_000), Duration.ofSeconds(1))).hasMessageContaining("--devices");
    }
}
