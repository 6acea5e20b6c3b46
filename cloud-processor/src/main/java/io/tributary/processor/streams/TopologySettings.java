package io.tributary.processor.streams;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.tributary.processor.rollup.WindowSize;

/**
 * What the Streams topology needs to know.
 *
 * @param telemetryTopic input: key = device id, value = serialized ReadingBatch
 * @param rollupsTopic output: key = device id, value = serialized Rollup
 * @param alertsTopic output: key = device id, value = serialized AlertEvent
 * @param windows the tumbling window sizes
 * @param grace how long after its end a window still takes readings (exclusive: a reading at exactly end + grace is
 *        late)
 * @param punctuateInterval how often (wall clock) closed windows are emitted and silent devices are checked
 */
public record TopologySettings(String telemetryTopic, String rollupsTopic, String alertsTopic, List<WindowSize> windows,
        Duration grace, Duration punctuateInterval) {

    public TopologySettings {
        Objects.requireNonNull(telemetryTopic, "telemetryTopic");
        Objects.requireNonNull(rollupsTopic, "rollupsTopic");
        Objects.requireNonNull(alertsTopic, "alertsTopic");
        windows = List.copyOf(windows);
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("rollup-windows: at least one window size is required");
        }
        if (windows.stream().map(WindowSize::label).distinct().count() != windows.size()) {
            throw new IllegalArgumentException("rollup-windows: window sizes must be distinct, got " + windows);
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("rollup-grace: must be zero or positive, got " + grace);
        }
        if (punctuateInterval == null || punctuateInterval.toMillis() <= 0) {
            throw new IllegalArgumentException("punctuate-interval: must be at least 1 ms, got " + punctuateInterval);
        }
    }

    /** Topics under a prefix, windows 10 s and 1 min, grace 30 s, punctuation every 500 ms. */
    public static TopologySettings defaults(String topicPrefix) {
        return new TopologySettings(topicPrefix + "telemetry", topicPrefix + "rollups", topicPrefix + "alerts",
                List.of(WindowSize.of(Duration.ofSeconds(10)), WindowSize.of(Duration.ofMinutes(1))),
                Duration.ofSeconds(30), Duration.ofMillis(500));
    }
}
