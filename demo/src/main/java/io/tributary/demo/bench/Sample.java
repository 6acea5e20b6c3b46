package io.tributary.demo.bench;

import java.util.Map;

/**
 * One observation of the running pipeline, taken every second. Counters are cumulative as the components expose them;
 * NaN where a component did not answer.
 *
 * @param t                  seconds since the benchmark started
 * @param phase              what the benchmark was doing (e.g. {@code step-40000}, {@code sustained}, {@code half})
 * @param gatewayReadings    readings the gateway accepted ({@code tributary_gateway_readings_in_total})
 * @param gatewayMessages    telemetry PUBLISHes the gateway accepted ({@code tributary_gateway_messages_in_total})
 * @param storedReadings     readings the processor stored in InfluxDB ({@code points_written_total{writer="readings"}})
 * @param analysedReadings   readings run through rollups and alert rules ({@code readings_processed_total})
 * @param writerLag          Kafka records the readings writer's group has not committed yet (from the broker)
 * @param streamsLag         Kafka records Kafka Streams (rollups, alerts) has not consumed yet (processor's metric)
 * @param cpuSeconds         cumulative CPU seconds per component, from {@code /proc/PID/stat}
 */
record Sample(double t, String phase, double gatewayReadings, double gatewayMessages, double storedReadings,
        double analysedReadings, double writerLag, double streamsLag, Map<String, Double> cpuSeconds) {

    Sample {
        cpuSeconds = Map.copyOf(cpuSeconds);
    }

    /** The larger of the two consumers' backlogs in records: what must not grow for a rate to be sustainable. */
    double backlog() {
        if (Double.isNaN(writerLag)) {
            return streamsLag;
        }
        if (Double.isNaN(streamsLag)) {
            return writerLag;
        }
        return Math.max(writerLag, streamsLag);
    }
}
