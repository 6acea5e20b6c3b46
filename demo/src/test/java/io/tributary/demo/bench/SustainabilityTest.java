package io.tributary.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class SustainabilityTest {

    private static final double RATE = 100_000;

    /** 30 samples, one a second: the gateway accepts {@code accepted} readings/s, the backlog follows {@code lag}. */
    private static List<Sample> window(double accepted, IntToDoubleFunction lag) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            double readings = accepted * i;
            samples.add(new Sample(100 + i, "step", readings, readings / 10, readings, readings, lag.applyAsDouble(i),
                    0, Map.of()));
        }
        return samples;
    }

    @Test
    void shouldAcceptAFlatSawToothBacklog() {
        // The writer commits every 5,000 points: the lag swings between 0 and 8,000 records without growing.
        Sustainability.Verdict verdict = Sustainability.judge(window(RATE, i -> (i % 4) * 2_000), RATE);

        assertThat(verdict.sustainable()).as(verdict.reason()).isTrue();
        assertThat(verdict.achievedReadingsPerS()).isEqualTo(RATE);
        assertThat(verdict.messagesPerS()).isEqualTo(RATE / 10);
    }

    @Test
    void shouldRejectAGrowingBacklog() {
        // 1,000 records/s more arrive than are processed: 10 % of the 10,000 msgs/s.
        Sustainability.Verdict verdict = Sustainability.judge(window(RATE, i -> 1_000.0 * i), RATE);

        assertThat(verdict.sustainable()).isFalse();
        assertThat(verdict.backlogSlope()).isCloseTo(1_000, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(verdict.reason()).contains("growing");
    }

    @Test
    void shouldAcceptSlowGrowthThatStaysSmall() {
        // Growing by 300 records/s (above the 2 % tolerance of 200) but ending under one second of arrivals.
        Sustainability.Verdict verdict = Sustainability.judge(window(RATE, i -> 300.0 * i), RATE);

        assertThat(verdict.sustainable()).isTrue();
    }

    @Test
    void shouldRejectWhenTheGatewayDidNotTakeTheOfferedLoad() {
        // No backlog at all, but only 80 % of the offered readings got through the gateway.
        Sustainability.Verdict verdict = Sustainability.judge(window(0.8 * RATE, i -> 0), RATE);

        assertThat(verdict.sustainable()).isFalse();
        assertThat(verdict.reason()).contains("accepted");
    }

    @Test
    void shouldNotJudgeTooFewOrMissingSamples() {
        assertThat(Sustainability.judge(window(RATE, i -> 0).subList(0, 2), RATE).sustainable()).isFalse();
        List<Sample> noBacklogKnown = window(RATE, i -> Double.NaN).stream()
                .map(s -> new Sample(s.t(), s.phase(), s.gatewayReadings(), s.gatewayMessages(), s.storedReadings(),
                        s.analysedReadings(), Double.NaN, Double.NaN, Map.of()))
                .toList();
        assertThat(Sustainability.judge(noBacklogKnown, RATE).sustainable()).isFalse();
    }

    @Test
    void shouldUseTheLargerOfTheTwoBacklogs() {
        Sample sample = new Sample(0, "x", 0, 0, 0, 0, 10, 40, Map.of());
        Sample writerUnknown = new Sample(0, "x", 0, 0, 0, 0, Double.NaN, 40, Map.of());

        assertThat(sample.backlog()).isEqualTo(40);
        assertThat(writerUnknown.backlog()).isEqualTo(40);
    }
}
