package io.tributary.demo.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

    private static Histogram millis(List<Double> values) {
        Histogram histogram = LatencySummary.micros();
        values.forEach(ms -> histogram.recordValue(Math.round(ms * 1000)));
        return histogram;
    }

    @Test
    void shouldTakeTheNearestRank() {
        List<Double> oneToHundred = new ArrayList<>();
        for (int i = 100; i >= 1; i--) {
            oneToHundred.add((double) i);
        }
        Collections.shuffle(oneToHundred);

        Map<String, Object> summary = LatencySummary.summary(millis(oneToHundred), 1);

        assertThat(summary).containsEntry("count", 100L).containsEntry("p50", 50.0).containsEntry("p90", 90.0)
                .containsEntry("p99", 99.0).containsEntry("max", 100.0);
    }

    @Test
    void shouldHandleFewSamples() {
        Histogram two = millis(List.of(3.0, 7.0));

        // Within the histogram's stated precision (3 significant digits: 0.1 %).
        assertThat(LatencySummary.percentileMillis(two, 50)).isCloseTo(3.0, withinPercentage(0.1));
        assertThat(LatencySummary.percentileMillis(two, 99)).isCloseTo(7.0, withinPercentage(0.1));
        assertThat(LatencySummary.percentileMillis(LatencySummary.micros(), 50)).isNaN();
    }

    @Test
    void shouldReportNullWithoutSamplesAndRejectBadPercentiles() {
        Histogram one = millis(List.of(1.0));

        assertThat(LatencySummary.summary(LatencySummary.micros(), 1)).isNull();
        assertThatThrownBy(() -> LatencySummary.percentileMillis(one, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencySummary.percentileMillis(one, 101))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
