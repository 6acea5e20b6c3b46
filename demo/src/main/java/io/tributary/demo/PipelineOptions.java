package io.tributary.demo;

import io.tributary.simulator.verify.InfluxTarget;
import java.nio.file.Path;

/**
 * How to compose the pipeline for a demo or a test.
 *
 * @param externalInflux an InfluxDB to store into instead of the local stack's own; null = start {@code influxd}
 * @param dataDir        where the local stack keeps its data; null = a temporary directory removed at the end
 * @param partitions     partitions of the telemetry topic
 * @param topicPrefix    Kafka topic prefix
 */
public record PipelineOptions(InfluxTarget externalInflux, Path dataDir, int partitions, String topicPrefix) {

    public PipelineOptions {
        if (partitions < 1 || partitions > 1024) {
            throw new IllegalArgumentException("partitions must be between 1 and 1024, got " + partitions);
        }
        if (topicPrefix == null) {
            throw new IllegalArgumentException("topic prefix must not be null");
        }
    }

    public static PipelineOptions defaults() {
        return new PipelineOptions(null, null, 3, "tributary.");
    }

    public PipelineOptions withExternalInflux(InfluxTarget influx) {
        return new PipelineOptions(influx, dataDir, partitions, topicPrefix);
    }

    public PipelineOptions withDataDir(Path dir) {
        return new PipelineOptions(externalInflux, dir, partitions, topicPrefix);
    }
}
