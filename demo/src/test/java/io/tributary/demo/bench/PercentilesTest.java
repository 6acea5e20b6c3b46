package io.tributary.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void shouldTakeTheNearestRank() {
        List<Double> oneToHundred = new ArrayList<>();
        for (int i = 100; i >= 1; i--) {
            oneToHundred.add((double) i);
        }
        Collections.shuffle(oneToHundred);

        Map<String, Object> summary = Percentiles.summary(oneToHundred);

        assertThat(summary).containsEntry("count", 100).containsEntry("p50", 50.0).containsEntry("p90", 90.0)
                .containsEntry("p99", 99.0).containsEntry("max", 100.0);
    }

    @Test
    void shouldHandleFewSamples() {
        List<Double> sorted = List.of(3.0, 7.0);

        assertThat(Percentiles.of(sorted, 50)).isEqualTo(3.0);
        assertThat(Percentiles.of(sorted, 99)).isEqualTo(7.0);
        assertThat(Percentiles.of(List.of(), 50)).isNaN();
    }

    @Test
    void shouldReportNullWithoutSamplesAndRejectBadPercentiles() {
        assertThat(Percentiles.summary(List.of())).isNull();
        assertThatThrownBy(() -> Percentiles.of(List.of(1.0), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Percentiles.of(List.of(1.0), 101)).isInstanceOf(IllegalArgumentException.class);
    }
}
