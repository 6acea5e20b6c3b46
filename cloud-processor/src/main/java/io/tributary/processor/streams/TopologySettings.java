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
public record TopologySettings(String telemetryTopic, String rollupsTopic, String alertsTopic, List<WindowSize> windows,
        Duration grace, Duration punctuateInterval, Duration maxEventFuture, int maxSensorsPerWindow,
        int maxWindowEntryBytes, TelemetryCheck contract, String deviceHealthTopic, Duration healthInterval) {

    /** Default of {@link #maxEventFuture()}: the contract's default. */
    public static final Duration DEFAULT_MAX_EVENT_FUTURE = InputContract.DEFAULT_MAX_EVENT_FUTURE;
    /** Default of {@link #maxSensorsPerWindow()}: the contract's sensors per device. */
    public static final int DEFAULT_MAX_SENSORS_PER_WINDOW = InputContract.DEFAULT_MAX_SENSORS_PER_DEVICE;
    /** Default of {@link #maxWindowEntryBytes()}: half of Kafka's default max.request.size / message.max.bytes. */
    public static final int DEFAULT_MAX_WINDOW_ENTRY_BYTES = 512 * 1024;
    /** Default of {@link #healthInterval()}. */
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(10);

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
        if (maxEventFuture == null || maxEventFuture.isNegative()) {
            throw new IllegalArgumentException("max-event-future: must be zero or positive, got " + maxEventFuture);
        }
        if (maxSensorsPerWindow < 1) {
            throw new IllegalArgumentException("max-sensors-per-device: must be at least 1, got " + maxSensorsPerWindow);
        }
        if (maxWindowEntryBytes < 1024) {
            throw new IllegalArgumentException("rollups.max-entry-bytes: must be at least 1024, got "
                    + maxWindowEntryBytes);
        }
        Objects.requireNonNull(contract, "contract");
        if (healthInterval == null || healthInterval.toMillis() <= 0) {
            throw new IllegalArgumentException("health.interval: must be at least 1 ms, got " + healthInterval);
        }
    }

    /** These settings with other limits. */
    public TopologySettings withLimits(Duration maxEventFuture, int maxSensorsPerWindow, int maxWindowEntryBytes,
            TelemetryCheck contract) {
        return new TopologySettings(telemetryTopic, rollupsTopic, alertsTopic, windows, grace, punctuateInterval,
                maxEventFuture, maxSensorsPerWindow, maxWindowEntryBytes, contract, deviceHealthTopic, healthInterval);
    }

    /**
     * Topics under a prefix, windows 10 s and 1 min, grace 30 s, punctuation every 500 ms, the default limits, device
     * health every 10 s.
     */
    public static TopologySettings defaults(String topicPrefix) {
        Topics topics = new Topics(topicPrefix);
        return new TopologySettings(topics.telemetry(), topics.rollups(), topics.alerts(),
                List.of(WindowSize.of(Duration.ofSeconds(10)), WindowSize.of(Duration.ofMinutes(1))),
                Duration.ofSeconds(30), Duration.ofMillis(500), DEFAULT_MAX_EVENT_FUTURE, DEFAULT_MAX_SENSORS_PER_WINDOW,
                DEFAULT_MAX_WINDOW_ENTRY_BYTES, new ContractCheck(InputContract.DEFAULTS), topics.deviceHealth(),
                DEFAULT_HEALTH_INTERVAL);
    }
}
