package io.tributary.processor.streams;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.tributary.contract.Topics;
import io.tributary.processor.contract.TelemetryCheck;
import io.tributary.contract.InputContract;
import io.tributary.processor.contract.ContractCheck;
import io.tributary.processor.rollup.WindowSize;

/**
 * What the Streams topology needs to know.
 *
 * @param telemetryTopic input: key = device id, value = serialized ReadingBatch (outputs: Rollup, AlertEvent)
 * @param metadataTopic the compacted device metadata (key = device id, value = DeviceLabels JSON): the joined table
 * @param grace how long after its end a window still takes readings (exclusive: a reading at exactly end + grace is
 *        late)
 * @param maxEventFuture how far ahead of the wall clock an event time may move the rollup watermark; a reading beyond
 *        it is left out of rollups and alerts (the contract check normally drops its whole batch before)
 * @param maxSensorsPerWindow the most sensors one device's window entry holds; readings of further new sensors are
 *        counted and left out of that window
 * @param maxWindowEntryBytes the largest serialized window entry (one store value and changelog record): well below
 *        Kafka's default 1 MiB record size
 * @param contract the input contract re-checked on every batch; a batch breaking it is counted and skipped (the
 *        readings writer dead-letters it)
 * @param deviceHealthTopic output of the device health part; null = no device health tracking
 * @param healthInterval how often (wall clock) the health of the devices that sent batches since is emitted
 */
public record TopologySettings(String telemetryTopic, String metadataTopic, String rollupsTopic, String alertsTopic,
        List<WindowSize> windows,
        Duration grace, Duration punctuateInterval, Duration maxEventFuture, int maxSensorsPerWindow,
        int maxWindowEntryBytes, TelemetryCheck contract, String deviceHealthTopic, Duration healthInterval) {

    /** Default of {@link #maxWindowEntryBytes()}: half of Kafka's default max.request.size / message.max.bytes. */
    public static final int DEFAULT_MAX_WINDOW_ENTRY_BYTES = 512 * 1024;
    /** Default of {@link #healthInterval()}. */
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(10);

    /** The values are checked where they come from: {@code AnalyticsConfig} and {@code InputContract}. */
    public TopologySettings {
        Objects.requireNonNull(telemetryTopic, "telemetryTopic");
        Objects.requireNonNull(metadataTopic, "metadataTopic");
        Objects.requireNonNull(rollupsTopic, "rollupsTopic");
        Objects.requireNonNull(alertsTopic, "alertsTopic");
        windows = List.copyOf(windows);
        Objects.requireNonNull(contract, "contract");
    }

    /** These settings with other limits. */
    public TopologySettings withLimits(Duration maxEventFuture, int maxSensorsPerWindow, int maxWindowEntryBytes,
            TelemetryCheck contract) {
        return new TopologySettings(telemetryTopic, metadataTopic, rollupsTopic, alertsTopic, windows, grace,
                punctuateInterval, maxEventFuture, maxSensorsPerWindow, maxWindowEntryBytes, contract, deviceHealthTopic,
                healthInterval);
    }

    /**
     * Topics under a prefix, windows 10 s and 1 min, grace 30 s, punctuation every 500 ms, the default limits, device
     * health every 10 s.
     */
    public static TopologySettings defaults(String topicPrefix) {
        Topics topics = new Topics(topicPrefix);
        return new TopologySettings(topics.telemetry(), topics.deviceMetadata(), topics.rollups(), topics.alerts(),
                List.of(WindowSize.of(Duration.ofSeconds(10)), WindowSize.of(Duration.ofMinutes(1))),
                Duration.ofSeconds(30), Duration.ofMillis(500), InputContract.DEFAULT_MAX_EVENT_FUTURE,
                InputContract.DEFAULT_MAX_SENSORS_PER_DEVICE,
                DEFAULT_MAX_WINDOW_ENTRY_BYTES, new ContractCheck(InputContract.DEFAULTS), topics.deviceHealth(),
                DEFAULT_HEALTH_INTERVAL);
    }
}
