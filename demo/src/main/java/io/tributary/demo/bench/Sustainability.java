package io.tributary.demo.bench;

import java.util.List;
import java.util.Locale;

/**
 * Decides whether the pipeline sustained a load over a window of samples: the fleet's offered rate actually went
 * through the gateway, and the backlog in front of the processor (Kafka lag of the readings writer and of Kafka
 * Streams) did not grow.
 *
 * <p>"Did not grow" is judged on the least-squares slope of the backlog over the window, because the writer commits in
 * batches of thousands of points and the lag saw-tooths by about a second's worth of records even when it keeps up. A
 * window is sustainable when the slope is below {@link #MAX_GROWTH_FRACTION} of the arrival rate, or when the backlog
 * at the end is under {@link #SMALL_BACKLOG_SECONDS} of arrivals anyway.
 */
final class Sustainability {

    /** The gateway must have accepted at least this fraction of the offered readings. */
    static final double MIN_ACHIEVED_FRACTION = 0.95;
    /** Backlog growth tolerated, as a fraction of the arrival rate (2 %: 12 s of backlog after 10 minutes). */
    static final double MAX_GROWTH_FRACTION = 0.02;
    /** A backlog smaller than this many seconds of arrivals counts as keeping up whatever its slope. */
    static final double SMALL_BACKLOG_SECONDS = 1.0;

    private Sustainability() {
    }

    /**
     * The verdict and what it rests on: rates the gateway accepted (readings, messages) and readings stored, per second
     * over the window; the backlog's growth (records/s) and its size at the end (mean of the last samples).
     */
    record Verdict(double offeredReadingsPerS, double achievedReadingsPerS, double messagesPerS,
            double storedReadingsPerS, double backlogSlope, double finalBacklog, boolean sustainable, String reason) {
    }

    /** Judges {@code window} (samples in time order, at least 3) against the offered rate. */
    static Verdict judge(List<Sample> window, double offeredReadingsPerS) {
        if (window.size() < 3) {
            return new Verdict(offeredReadingsPerS, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    false, "too few samples (" + window.size() + ") to judge");
        }
        Sample first = window.get(0);
        Sample last = window.get(window.size() - 1);
        double seconds = last.t() - first.t();
        double achieved = (last.gatewayReadings() - first.gatewayReadings()) / seconds;
        double stored = (last.storedReadings() - first.storedReadings()) / seconds;
        double messagesPerS = (last.gatewayMessages() - first.gatewayMessages()) / seconds;
        double slope = slope(window);
        double finalBacklog = finalBacklog(window);

        if (Double.isNaN(achieved) || Double.isNaN(slope)) {
            return new Verdict(offeredReadingsPerS, achieved, messagesPerS, stored, slope, finalBacklog, false,
                    "metrics missing in the window");
        }
        boolean accepted = achieved >= MIN_ACHIEVED_FRACTION * offeredReadingsPerS;
        boolean small = finalBacklog <= SMALL_BACKLOG_SECONDS * messagesPerS;
        boolean flat = slope <= MAX_GROWTH_FRACTION * messagesPerS;
        String reason;
        if (!accepted) {
            reason = String.format(Locale.ROOT, "the gateway accepted %.0f readings/s of %.0f offered (< %.0f %%)",
                    achieved, offeredReadingsPerS, MIN_ACHIEVED_FRACTION * 100);
        } else if (small || flat) {
            reason = String.format(Locale.ROOT, "backlog %s (slope %.0f records/s, final %.0f records)",
                    small ? "small" : "not growing", slope, finalBacklog);
        } else {
            reason = String.format(Locale.ROOT, "backlog growing by %.0f records/s (> %.0f %% of %.0f msgs/s), "
                    + "%.0f records at the end", slope, MAX_GROWTH_FRACTION * 100, messagesPerS, finalBacklog);
        }
        return new Verdict(offeredReadingsPerS, achieved, messagesPerS, stored, slope, finalBacklog,
                accepted && (small || flat), reason);
    }

    /** Least-squares slope of the backlog over time, skipping samples without a backlog; NaN if fewer than 2. */
    static double slope(List<Sample> window) {
        double n = 0;
        double sumT = 0;
        double sumB = 0;
        double sumTT = 0;
        double sumTB = 0;
        for (Sample s : window) {
            double b = s.backlog();
            if (Double.isNaN(b)) {
                continue;
            }
            n++;
            sumT += s.t();
            sumB += b;
            sumTT += s.t() * s.t();
            sumTB += s.t() * b;
        }
        double denominator = n * sumTT - sumT * sumT;
        if (n < 2 || denominator == 0) {
            return Double.NaN;
        }
        return (n * sumTB - sumT * sumB) / denominator;
    }

    /** Mean backlog of the last 5 samples (fewer if the window is shorter): smooths the writer's saw-tooth. */
    static double finalBacklog(List<Sample> window) {
        double sum = 0;
        int n = 0;
        for (int i = window.size() - 1; i >= 0 && n < 5; i--) {
            double b = window.get(i).backlog();
            if (!Double.isNaN(b)) {
                sum += b;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
