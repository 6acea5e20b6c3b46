package io.tributary.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void shouldGivePercentilesWithinTheBucketPrecision() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int ms = 1; ms <= 1000; ms++) {
            histogram.recordNanos(ms * 1_000_000L);
        }

        assertThat(histogram.count()).isEqualTo(1000);
        assertThat(histogram.percentileMillis(50)).isCloseTo(500, withPercentage(6.5));
        assertThat(histogram.percentileMillis(90)).isCloseTo(900, withPercentage(6.5));
        assertThat(histogram.percentileMillis(99)).isCloseTo(990, withPercentage(6.5));
        assertThat(histogram.maxMillis()).isEqualTo(1000);
        assertThat(histogram.percentileMillis(100)).isEqualTo(1000);
    }

    @Test
    void shouldKeepLongLatenciesAndSubMillisecondOnes() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.recordNanos(250_000);
        histogram.recordNanos(3_600_000_000_000L); // an hour

        assertThat(histogram.percentileMillis(50)).isCloseTo(0.25, withPercentage(0.5));
        assertThat(histogram.maxMillis()).isEqualTo(3_600_000);
    }

    @Test
    void shouldReportZeroWhenEmpty() {
        assertThat(new LatencyHistogram().percentileMillis(99)).isZero();
    }
}
