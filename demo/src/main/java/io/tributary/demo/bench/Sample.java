package io.tributary.demo.bench;

import java.util.Map;

/**
 * One observation of the running pipeline, taken every second ({@link StackSampler} names the metric of each field), at
 * {@code t} seconds since the benchmark started. Counters are cumulative as the components expose them; NaN where a
 * component did not answer.
 */
record Sample(double t, String phase, double gatewayReadings, double gatewayMessages, double storedReadings,
        double analysedReadings, double writerLag, double streamsLag, Map<String, Double> cpuSeconds) {

    Sample {
        cpuSeconds = Map.copyOf(cpuSeconds);
    }

    /** The larger of the two consumers' backlogs in records: what must not grow for a rate to be sustainable. */
    double backlog() {
        return Double.isNaN(writerLag) ? streamsLag
                : Double.isNaN(streamsLag) ? writerLag : Math.max(writerLag, streamsLag);
    }
}
