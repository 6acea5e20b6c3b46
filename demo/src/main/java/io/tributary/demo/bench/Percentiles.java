package io.tributary.demo.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Nearest-rank percentiles of latency samples in milliseconds. */
final class Percentiles {

    private Percentiles() {
    }

    /** The {@code p}-th percentile (0 < p ≤ 100) by nearest rank; NaN without samples. */
    static double of(List<Double> sortedAscending, double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        }
        if (sortedAscending.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedAscending.size());
        return sortedAscending.get(Math.max(0, rank - 1));
    }

    /**
     * {@code {"count", "p50", "p90", "p99", "max"}}, rounded to 0.1 ms; null without samples, so a missing measurement
     * shows as null in the report rather than as a number.
     */
    static Map<String, Object> summary(Collection<Double> samples) {
        if (samples.isEmpty()) {
            return null;
        }
        List<Double> sorted = sorted(samples);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("count", sorted.size());
        summary.put("p50", round1(of(sorted, 50)));
        summary.put("p90", round1(of(sorted, 90)));
        summary.put("p99", round1(of(sorted, 99)));
        summary.put("max", round1(sorted.get(sorted.size() - 1)));
        return summary;
    }

    static List<Double> sorted(Collection<Double> samples) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        return sorted;
    }

    static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
