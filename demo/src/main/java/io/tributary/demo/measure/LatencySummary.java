package io.tributary.demo.measure;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Latency distributions as the benchmarks record and report them: HdrHistograms of microseconds with 3 significant
 * digits (every value within 0.1 % of what was recorded), reported in milliseconds. A percentile is the nearest rank
 * (the smallest recorded value with at least p % of the samples at or below it), as HdrHistogram defines it.
 */
public final class LatencySummary {

    /** Significant decimal digits kept per value: 0.1 % resolution. */
    public static final int PRECISION_DIGITS = 3;

    private LatencySummary() {
    }

    /** An empty histogram of microseconds that grows to any range. */
    public static Histogram micros() {
        return new Histogram(PRECISION_DIGITS);
    }

    /** The {@code p}-th percentile (0 < p ≤ 100) in milliseconds; NaN without samples. */
    public static double percentileMillis(Histogram micros, double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        }
        return micros.getTotalCount() == 0 ? Double.NaN : micros.getValueAtPercentile(p) / 1000.0;
    }

    /**
     * {@code {"count", "p50", "p90", "p99", "max"}} in milliseconds rounded to {@code decimals}; null without samples,
     * so a missing measurement shows as null in a report rather than as a number.
     */
    public static Map<String, Object> summary(Histogram micros, int decimals) {
        if (micros.getTotalCount() == 0) {
            return null;
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("count", micros.getTotalCount());
        summary.put("p50", round(percentileMillis(micros, 50), decimals));
        summary.put("p90", round(percentileMillis(micros, 90), decimals));
        summary.put("p99", round(percentileMillis(micros, 99), decimals));
        summary.put("max", round(micros.getMaxValue() / 1000.0, decimals));
        return summary;
    }

    /** {@code value} rounded to {@code decimals}; null for NaN and infinities (JSON has neither). */
    public static Double round(double value, int decimals) {
        if (!Double.isFinite(value)) {
            return null;
        }
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
