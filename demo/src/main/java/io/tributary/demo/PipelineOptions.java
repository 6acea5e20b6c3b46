package io.tributary.demo;

import io.tributary.common.KafkaClientConfig;
import io.tributary.contract.Topics;
import io.tributary.simulator.verify.InfluxTarget;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to compose the pipeline for a demo or a test.
 *
 * @param externalInflux an InfluxDB to store into instead of the local stack's own; null = start {@code influxd}
 * @param dataDir        where the local stack keeps its data; null = a temporary directory removed at the end
 * @param alertRules     the processor's alert rules file; null = the demo's own rules
 * @param rollupGrace    how long a rollup window waits for late readings before it closes
 * @param externalKafka  a Kafka (with its client properties, e.g. security) every part uses instead of the local
 *                       stack's own, which then does not start; it must hold the topics; null = the local stack's
 */
public record PipelineOptions(InfluxTarget externalInflux, Path dataDir, int partitions, String topicPrefix,
        Path alertRules, Duration rollupGrace, KafkaClientConfig externalKafka) {

    public PipelineOptions {
        if (partitions < 1 || partitions > 1024) {
            throw new IllegalArgumentException("partitions must be between 1 and 1024, got " + partitions);
        }
        if (topicPrefix == null) {
            throw new IllegalArgumentException("topic prefix must not be null");
        }
        if (rollupGrace == null || rollupGrace.isNegative()) {
            throw new IllegalArgumentException("rollup grace must be zero or positive, got " + rollupGrace);
        }
    }

    /** The demo's rollup grace: short, since simulated devices are never late. */
    public static final Duration DEMO_ROLLUP_GRACE = Duration.ofSeconds(5);

    /** The demo's settings. */
    public static PipelineOptions defaults() {
        return new PipelineOptions(null, null, 3, Topics.DEFAULT_PREFIX, null, DEMO_ROLLUP_GRACE, null);
    }
}
