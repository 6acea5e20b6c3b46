package io.tributary.processor.writer;

import java.time.Clock;

import org.apache.kafka.clients.consumer.Consumer;

import io.tributary.processor.contract.TelemetryCheck;
import io.tributary.processor.metrics.AtomicProcessorMetrics;

/** One topic writer per measurement: readings (telemetry), rollups and alerts, over the same loop and write core. */
public final class InfluxWriters {

    private InfluxWriters() {
    }

    /**
     * Telemetry to the {@code readings} measurement, the input contract re-checked on every batch.
     *
     * @param suffix told apart in logs and probe tags when several readings writers run ("" for one)
     */
    public static InfluxTopicWriter readings(String suffix, TelemetryCheck contract, Consumer<byte[], byte[]> consumer,
            String topic, PointWriter pointWriter, DeadLetterPublisher deadLetters, InfluxTopicWriter.Settings settings,
            AtomicProcessorMetrics metrics, Clock clock) {
        return new InfluxTopicWriter("Readings writer" + suffix, new ReadingPointMapper(contract, clock)::map,
                consumer, topic, pointWriter, deadLetters, settings, metrics, clock);
    }

    /** Closed windows to the {@code rollups} measurement. */
    public static InfluxTopicWriter rollups(Consumer<byte[], byte[]> consumer, String topic, PointWriter pointWriter,
            DeadLetterPublisher deadLetters, InfluxTopicWriter.Settings settings, AtomicProcessorMetrics metrics,
            Clock clock) {
        return new InfluxTopicWriter("Rollups writer", new RollupPointMapper(), consumer, topic, pointWriter,
                deadLetters, settings, metrics, clock);
    }

    /** Alert transitions to the {@code alerts} measurement. */
    public static InfluxTopicWriter alerts(Consumer<byte[], byte[]> consumer, String topic, PointWriter pointWriter,
            DeadLetterPublisher deadLetters, InfluxTopicWriter.Settings settings, AtomicProcessorMetrics metrics,
            Clock clock) {
        return new InfluxTopicWriter("Alerts writer", new AlertPointMapper(), consumer, topic, pointWriter,
                deadLetters, settings, metrics, clock);
    }
}
