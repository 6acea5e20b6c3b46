package io.tributary.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short run of the real benchmark: the built jars of the local stack, gateway, processor and simulator as separate
 * processes, one small step, a short sustained phase with verification and a half-rate phase with the probe. Not a
 * measurement (seconds per phase, a tiny fleet): it proves the command works end to end and writes what it promises.
 */
class PipelineBenchIT {

    @TempDir
    Path out;

    @Test
    void shouldRunEveryPhaseAndWriteTheReportAndThePlots() throws Exception {
        System.setProperty("java.awt.headless", "true");
        // Failsafe runs in the module directory; the jars are built by the reactor's package phase before this.
        Path root = Path.of("").toAbsolutePath().getParent();
        BenchOptions options = new BenchOptions(root, out, 50, Duration.ofSeconds(8), Duration.ofSeconds(8),
                Duration.ofSeconds(3), List.of(2_000), Duration.ofSeconds(8), 2, Duration.ofMillis(100), 1, null);
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        int exit = new PipelineBench(options, new PrintStream(console, true, StandardCharsets.UTF_8)).run();

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed).isZero();
        assertThat(printed).contains("step 2,000 readings/s: sustainable").contains("RESULT {");
        JsonObject json = new JsonObject(Files.readString(out.resolve("bench.json")));
        assertThat(json.getLong("readings_per_s")).isBetween(1_500L, 2_500L);
        assertThat(json.getLong("lost_readings")).isZero();
        assertThat(json.getLong("published_readings")).isPositive();
        assertThat(json.getJsonObject("cpu_seconds").fieldNames())
                .contains("gateway", "processor", "simulator", "kafka (stack JVM)", "influxd");
        JsonObject half = json.getJsonObject("latency_ms").getJsonObject("half_rate");
        for (String hop : List.of("publish_to_puback", "publish_to_kafka", "publish_to_alert",
                "publish_to_queryable")) {
            assertThat(half.getJsonObject(hop).getInteger("count")).as(hop).isPositive();
        }
        for (String png : List.of("throughput.png", "latency.png")) {
            assertThat(ImageIO.read(out.resolve(png).toFile())).as(png).isNotNull();
        }
        assertThat(out.resolve("logs").resolve("gateway.out")).exists();
    }
}
