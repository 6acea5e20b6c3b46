package io.tributary.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimulatorSummaryTest {

    @Test
    void shouldReadTheLastSummaryLineOfTodaysSimulator() {
        String stdout = """
                [    5s] connected 1000/1000 | published 214,330 readings | rejected 0 | retries 0
                SUMMARY {"run_id":"ff9f56","devices":1000,"published_readings":1215790,"stored_readings":1215790,"lost_readings":0}
                """;

        SimulatorSummary summary = SimulatorSummary.parse(stdout);

        assertThat(summary.publishedReadings()).isEqualTo(1215790);
        assertThat(summary.lostReadings()).isZero();
        assertThat(summary.pubackMs()).as("not reported by this simulator version").isNull();
        assertThat(summary.ackedReadingsPerS()).isNull();
    }

    @Test
    void shouldReadPubackPercentilesWhenTheSimulatorReportsThem() {
        String stdout = "SUMMARY {\"published_readings\":10,\"puback_ms\":{\"p50\":1.5,\"p90\":3,\"p99\":9.5,"
                + "\"max\":20},\"acked_readings_per_s\":99000.5}\n";

        SimulatorSummary summary = SimulatorSummary.parse(stdout);

        assertThat(summary.pubackMs()).containsEntry("p99", 9.5).containsEntry("max", 20);
        assertThat(summary.ackedReadingsPerS()).isEqualTo(99000.5);
        assertThat(summary.lostReadings()).as("no verification requested").isNull();
    }

    @Test
    void shouldGiveNullWithoutAValidSummary() {
        assertThat(SimulatorSummary.parse("crashed before the end\n")).isNull();
        assertThat(SimulatorSummary.parse("SUMMARY {not json\n")).isNull();
    }
}
