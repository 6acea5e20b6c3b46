package io.tributary.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
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
}
