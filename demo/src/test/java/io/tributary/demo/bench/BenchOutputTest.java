package io.tributary.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.demo.measure.LatencySummary;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench.json and the plots from synthetic phases: every field there, nulls where nothing was measured. */
class BenchOutputTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static BenchOptions options() {
        return new BenchOptions(Path.of("."), Path.of("out"), 1_000, Duration.ofSeconds(60), Duration.ofSeconds(20),
                Duration.ofSeconds(5), List.of(50_000, 100_000), Duration.ofSeconds(20), 3, Duration.ofMillis(100), 1, null);
    }

    /** One sample a second from t=0 to t=200 at 50,000 readings/s; CPU grows by 0.5 s/s for the gateway. */
    private static List<Sample> samples() {
        List<Sample> samples = new ArrayList<>();
        for (int t = 0; t <= 200; t++) {
            double readings = 50_000.0 * t;
            samples.add(new Sample(t, t < 100 ? "step-50000" : "sustained", readings, readings / 10, readings,
                    readings, t % 3 * 100, 0, Map.of("gateway", 0.5 * t, "processor", 0.25 * t)));
        }
        return samples;
    }

    private static Probe probeWith(double... millis) {
        Probe probe = new Probe(new Probe.Target("tcp://127.0.0.1:1",
                new io.tributary.common.KafkaClientConfig("127.0.0.1:1", java.util.Map.of()), "t", "a", "http://x", "db"),
                "probe", null, Duration.ofMillis(100));
        for (LatencyHop hop : List.of(probe.puback, probe.kafka, probe.alert, probe.queryable)) {
            for (int i = 0; i < millis.length; i++) {
                hop.expect(i, 0);
                hop.arrived(i, (long) (millis[i] * 1e6));
            }
        }
        return probe;
    }

    private static Histogram micros(double... millis) {
        Histogram histogram = LatencySummary.micros();
        for (double ms : millis) {
            histogram.recordValue(Math.round(ms * 1000));
        }
        return histogram;
    }

    @Test
    void shouldWriteEveryFigureAndNullForWhatTheSimulatorDidNotReport() {
        List<Sample> samples = samples();
        Sustainability.Verdict ok = Sustainability.judge(samples.subList(110, 170), 50_000);
        PhaseResult step = new PhaseResult("step-50000", 50_000, 0, 100, ok, null, null, 0);
        PhaseResult sustained = new PhaseResult("sustained", 50_000, 100, 170, ok,
                new SimulatorSummary(3_000_000L, 0L, 3_000_000L, null, null), probeWith(5, 6, 7), 0);
        PhaseResult half = new PhaseResult("half-rate", 25_000, 170, 200, ok,
                new SimulatorSummary(750_000L, null, null, null, null), probeWith(1, 2, 300), 0);

        BenchReport report = new BenchReport(options(), List.of(step), sustained, half, samples, "0.5 0.4 0.3 1/200 9");
        JsonObject json = new JsonObject(new JsonObject(report.toMap()).encodePrettily());

        assertThat(json.getLong("readings_per_s")).isEqualTo(50_000);
        assertThat(json.getLong("msgs_per_s")).isEqualTo(5_000);
        assertThat(json.getLong("lost_readings")).isZero();
        assertThat(json.getBoolean("sustained")).isTrue();
        // Over the sustained window (t = 105..170: 65 s) the gateway used 0.5 CPU-s per second.
        assertThat(json.getJsonObject("cpu_seconds").getDouble("gateway")).isEqualTo(32.5);
        assertThat(json.getJsonObject("cpu_cores").getDouble("gateway")).isEqualTo(0.5);
        JsonObject halfRate = json.getJsonObject("latency_ms").getJsonObject("half_rate");
        assertThat(halfRate.getJsonObject("publish_to_queryable").getDouble("p99")).isEqualTo(300.0);
        assertThat(halfRate.getJsonObject("publish_to_queryable").getDouble("p50")).isEqualTo(2.0);
        assertThat(halfRate.containsKey("publish_to_puback_fleet")).isTrue();
        assertThat(halfRate.getValue("publish_to_puback_fleet")).isNull();
        assertThat(json.getValue("acked_readings_per_s")).isNull();
        assertThat(json.getJsonArray("steps")).hasSize(1);
        assertThat(report.passed()).isTrue();
        assertThat(report.headline()).containsEntry("half_rate_publish_to_queryable_p99_ms", 300.0);
    }

    @Test
    void shouldNotPassWithoutASustainedPhaseOrWithLoss() {
        List<Sample> samples = samples();
        Sustainability.Verdict ok = Sustainability.judge(samples.subList(110, 170), 50_000);
        PhaseResult lossy = new PhaseResult("sustained", 50_000, 100, 170, ok,
                new SimulatorSummary(3_000_000L, 17L, 2_999_983L, null, null), null, 0);

        BenchReport none = new BenchReport(options(), List.of(), null, null, samples, "");
        BenchReport lost = new BenchReport(options(), List.of(), lossy, null, samples, "");

        assertThat(none.passed()).isFalse();
        assertThat(new JsonObject(none.toMap()).getValue("readings_per_s")).isNull();
        assertThat(lost.passed()).isFalse();
        assertThat(new JsonObject(lost.toMap()).getLong("lost_readings")).isEqualTo(17);
    }

    @Test
    void shouldDrawBothPlotsAsReadablePngs() throws Exception {
        Path throughput = dir.resolve("throughput.png");
        Path latency = dir.resolve("latency.png");
        Map<String, Histogram> hops = new LinkedHashMap<>();
        hops.put("publish -> PUBACK", micros(1.0, 2.0, 3.0, 50.0));
        hops.put("publish -> queryable", micros(20.0, 40.0, 90.0, 800.0));
        hops.put("publish -> alert", micros());

        Plots.throughput(samples(), "throughput", throughput);
        Plots.latency(hops, "latency", latency);

        for (Path png : List.of(throughput, latency)) {
            byte[] bytes = Files.readAllBytes(png);
            assertThat(bytes.length).isGreaterThan(1_000);
            assertThat(new byte[] {bytes[1], bytes[2], bytes[3]}).isEqualTo("PNG".getBytes());
            assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(1400);
        }
    }

    @Test
    void shouldComputeRatesFromCountersAndSkipResets() {
        List<Sample> samples = List.of(
                new Sample(0, "a", 0, 0, 0, 0, 0, 0, Map.of()),
                new Sample(2, "a", 100, 0, 0, 0, 0, 0, Map.of()),
                new Sample(3, "a", 50, 0, 0, 0, 0, 0, Map.of()),
                new Sample(4, "a", Double.NaN, 0, 0, 0, 0, 0, Map.of()));

        List<double[]> rates = Plots.rates(samples, Sample::gatewayReadings);

        assertThat(rates).hasSize(1);
        assertThat(rates.get(0)).containsExactly(2.0, 50.0);
    }
}
