package io.tributary.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeersReportTest {

    @Test
    void shouldCountCpuPerReadingPerComponentAndLeaveTheSimulatorOutOfTheStack() {
        // Given 1,000 readings/s for 10 s; the stack used 2 + 1 CPU-seconds, the simulator 5 and the bench 1
        JsonObject bench = new JsonObject().put("readings_per_s", 1000).put("sustained_seconds", 10)
                .put("sustained", true).put("lost_readings", 0)
                .put("cpu_seconds", new JsonObject().put("node-red", 2.0).put("influxd", 1.0).put("simulator", 5.0)
                        .put(PipelineBench.BENCH_COMPONENT, 1.0))
                .put("latency_ms", new JsonObject().put("half_rate", new JsonObject()
                        .put("offered_readings_per_s", 500)
                        .put("publish_to_queryable", new JsonObject().put("p50", 12.5).put("p99", 80.0))));

        Map<String, Object> figures = PeersReport.figures(1, PeersBench.PEER, bench);

        assertThat(figures.get("cpu_us_per_reading")).isEqualTo(Map.of("node-red", 200.0, "influxd", 100.0,
                "simulator", 500.0, PipelineBench.BENCH_COMPONENT, 100.0));
        assertThat(figures.get("stack_cpu_us_per_reading")).isEqualTo(300.0);
        assertThat(figures.get("readings_per_stack_cpu_second")).isEqualTo(3333L);
        assertThat(figures.get("publish_to_queryable_p99_ms")).isEqualTo(80.0);
        assertThat(figures.get("publish_to_puback_p50_ms")).isNull();
    }

    @Test
    void shouldReportNoCpuFigureWhenNoRateWasSustained() {
        Map<String, Object> figures = PeersReport.figures(1, PeersBench.TRIBUTARY,
                new JsonObject().put("sustained", (Object) null));

        assertThat(figures.get("readings_per_s")).isNull();
        assertThat(figures.get("stack_cpu_us_per_reading")).isNull();
        assertThat(figures.get("publish_to_queryable_p50_ms")).isNull();
    }

    @Test
    void shouldTakeTheMeanOfTheTwoMiddleRoundsAsTheMedianOfAnEvenNumber() {
        // Given four rounds of Tributary at 100, 400, 200 and 1,000 readings/s and three of the peer
        PeersReport report = report(List.of(run(PeersBench.TRIBUTARY, 100), run(PeersBench.TRIBUTARY, 400),
                run(PeersBench.TRIBUTARY, 200), run(PeersBench.TRIBUTARY, 1000), run(PeersBench.PEER, 30),
                run(PeersBench.PEER, 10), run(PeersBench.PEER, 20)), Map.of());

        // Then the even count's median lies between 200 and 400; the odd count's is its middle value
        assertThat(report.median(PeersBench.TRIBUTARY, "readings_per_s")).isEqualTo(300.0);
        assertThat(report.spread(PeersBench.TRIBUTARY, "readings_per_s")).isEqualTo(Map.of("min", 100.0,
                "median", 300.0, "max", 1000.0, "rounds", List.of(100.0, 200.0, 400.0, 1000.0)));
        assertThat(report.median(PeersBench.PEER, "readings_per_s")).isEqualTo(20.0);
        assertThat(report.median(PeersBench.PEER, "stack_cpu_us_per_reading")).isNaN();
    }

    @Test
    void shouldSayInTheLossPanelThatNoFaultsWereRun() {
        PeersReport none = report(List.of(run(PeersBench.TRIBUTARY, 100)), Map.of());
        PeersReport some = report(List.of(run(PeersBench.TRIBUTARY, 100)), Map.of(PeersBench.TRIBUTARY,
                Map.of("kill -9 gateway", Map.of("acknowledged_and_lost", 0))));

        assertThat(PeersPlot.charts(none).get(3).getCategoryPlot().getNoDataMessage())
                .isEqualTo("No faults were run (--no-faults)");
        assertThat(PeersPlot.charts(none).get(3).getCategoryPlot().getDataset().getColumnCount()).isZero();
        assertThat(PeersPlot.charts(some).get(3).getCategoryPlot().getDataset().getColumnKeys())
                .containsExactly("kill -9 gateway");
    }

    private static Map<String, Object> run(String stack, double readingsPerS) {
        return PeersReport.figures(1, stack, new JsonObject().put("readings_per_s", readingsPerS));
    }

    private static PeersReport report(List<Map<String, Object>> runs, Map<String, Object> faults) {
        BenchOptions options = new BenchOptions(Path.of("."), Path.of("out"), 10, Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(10), List.of(1000), Duration.ofSeconds(30), 3,
                Duration.ofMillis(100), 0, null);
        return new PeersReport(new PeersBench.Plan(options, options, runs.size(), 1000, Duration.ofSeconds(60),
                !faults.isEmpty()), runs, faults, Map.of(), "0.00");
    }
}
