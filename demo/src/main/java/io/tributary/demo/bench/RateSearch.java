package io.tributary.demo.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The stepping rule: load steps at ascending rates until the first unsustainable one, then bisection between the
 * last sustainable and the first unsustainable rate (to the nearest 1,000 readings/s).
 */
final class RateSearch {

    /** Runs one load step at a rate and judges it. */
    @FunctionalInterface
    interface Step {
        PhaseResult run(double rate) throws InterruptedException;
    }

    /** Every step run, in order, and the best sustainable one (null if none was). */
    record Outcome(List<PhaseResult> steps, PhaseResult best) {
    }

    private RateSearch() {
    }

    static Outcome search(List<Integer> rates, int refinements, Step step) throws InterruptedException {
        List<PhaseResult> steps = new ArrayList<>();
        PhaseResult best = null;
        double firstFailed = Double.NaN;
        for (int rate : rates) {
            PhaseResult result = step.run(rate);
            steps.add(result);
            if (!result.verdict().sustainable()) {
                firstFailed = rate;
                break;
            }
            best = result;
        }
        double low = best == null ? 0 : best.offered();
        for (int i = 0; i < refinements && !Double.isNaN(firstFailed); i++) {
            double middle = Math.round((low + firstFailed) / 2 / 1000.0) * 1000.0;
            if (middle <= low || middle >= firstFailed) {
                break;
            }
            PhaseResult result = step.run(middle);
            steps.add(result);
            if (result.verdict().sustainable()) {
                best = result;
                low = result.offered();
            } else {
                firstFailed = middle;
            }
        }
        return new Outcome(List.copyOf(steps), best);
    }
}
