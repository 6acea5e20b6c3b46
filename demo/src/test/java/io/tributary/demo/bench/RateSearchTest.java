package io.tributary.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RateSearchTest {

    /** A pipeline that sustains up to {@code limit} readings/s. */
    private static RateSearch.Step pipelineUpTo(double limit) {
        return rate -> new PhaseResult("step-" + Math.round(rate), rate, 0, 10,
                new Sustainability.Verdict(rate, rate, rate / 10, rate, 0, 0, rate <= limit, "test"), null, null, 0);
    }

    private static List<Double> rates(RateSearch.Outcome outcome) {
        return outcome.steps().stream().map(PhaseResult::offered).toList();
    }

    @Test
    void shouldStopAtTheFirstUnsustainableStepAndBisectTowardsIt() throws InterruptedException {
        RateSearch.Outcome outcome = RateSearch.search(List.of(20_000, 40_000, 60_000, 80_000), 2,
                pipelineUpTo(47_000));

        assertThat(rates(outcome)).containsExactly(20_000.0, 40_000.0, 60_000.0, 50_000.0, 45_000.0);
        assertThat(outcome.best().offered()).isEqualTo(45_000.0);
    }

    @Test
    void shouldHaveNoBestWhenNoStepIsSustainable() throws InterruptedException {
        RateSearch.Outcome outcome = RateSearch.search(List.of(20_000, 40_000), 1, pipelineUpTo(1_000));

        assertThat(rates(outcome)).containsExactly(20_000.0, 10_000.0);
        assertThat(outcome.best()).isNull();
    }

    @Test
    void shouldNotRefineWhenEveryStepWasSustainable() throws InterruptedException {
        RateSearch.Outcome outcome = RateSearch.search(List.of(20_000, 40_000), 3, pipelineUpTo(1e9));

        assertThat(rates(outcome)).containsExactly(20_000.0, 40_000.0);
        assertThat(outcome.best().offered()).isEqualTo(40_000.0);
    }
}
