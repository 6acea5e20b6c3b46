package io.tributary.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The agent's settings.
 *
 * @param deviceId         this device's id (MQTT username and topic segment)
 * @param password         the device secret issued at provisioning; empty if the gateway does not ask for one
 * @param mqttServerUri    the gateway, {@code tcp://host:1883} or {@code ssl://host:8883}
 * @param sampleInterval   how often every sensor is read
 * @param batchInterval    how often the readings taken so far are closed into a batch and published
 * @param stateDir         where the agent keeps its state (the batch sequence number)
 * @param maxQueuedBatches unacknowledged batches kept in memory; past it the oldest is dropped and counted
 */
public record AgentConfig(String deviceId, String password, String mqttServerUri, Duration sampleInterval,
        Duration batchInterval, Path stateDir, int maxQueuedBatches) {

    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    public AgentConfig {
        if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
            throw new IllegalArgumentException("device-id must be 1-128 letters, digits, '.', '_', ':' or '-' "
                    + "(no '/', '+' or '#': it is an MQTT topic segment), got '" + deviceId + "'");
        }
        password = password == null ? "" : password;
        Objects.requireNonNull(mqttServerUri, "mqtt-uri");
        if (!mqttServerUri.startsWith("tcp://") && !mqttServerUri.startsWith("ssl://")) {
            throw new IllegalArgumentException("mqtt-uri must start with tcp:// or ssl://, got '" + mqttServerUri + "'");
        }
        requirePositive("sample-interval", sampleInterval);
        requirePositive("batch-interval", batchInterval);
        if (batchInterval.compareTo(sampleInterval) < 0) {
            throw new IllegalArgumentException("batch-interval (" + batchInterval
                    + ") must not be shorter than sample-interval (" + sampleInterval + ")");
        }
        Objects.requireNonNull(stateDir, "state-dir");
        if (maxQueuedBatches < 1) {
            throw new IllegalArgumentException("max-queued-batches must be at least 1, got " + maxQueuedBatches);
        }
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(key + " must be a positive duration, got " + value);
        }
    }
}
