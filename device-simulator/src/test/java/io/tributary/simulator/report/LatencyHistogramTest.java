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
    void shouldPutEveryValueIntoABucketWhoseUpperEdgeHoldsIt() {
        for (long micros = 0; micros < 5_000_000; micros = micros * 2 + 1) {
            int index = LatencyHistogram.index(micros);
            assertThat(LatencyHistogram.upperEdge(index)).isGreaterThanOrEqualTo(micros);
            if (index > 0) {
                assertThat(LatencyHistogram.upperEdge(index - 1)).isLessThan(micros);
            }
        }
    }

    @Test
    void shouldReportZeroWhenEmpty() {
        assertThat(new LatencyHistogram().percentileMillis(99)).isZero();
    }
}
