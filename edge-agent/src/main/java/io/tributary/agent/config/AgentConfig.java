package io.tributary.agent.config;

import io.tributary.agent.outbox.OutboxSettings;
import io.tributary.agent.sensor.SensorSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The agent's settings, validated.
 *
 * @param deviceId         this device's id (MQTT client id, default username, topic segment)
 * @param mqtt             the uplink
 * @param batchMaxReadings a batch is closed when it holds this many readings ...
 * @param batchMaxAge      ... or when its first reading is this old
 * @param stateDir         where the outbox, the batch sequence and the drop counter live
 * @param outbox           outbox bounds and policies
 * @param sensors          the configured sensors (names unique)
 * @param root             the filesystem root sensors read under ("/" except in tests)
 */
public record AgentConfig(String deviceId, BrokerConnection mqtt, int batchMaxReadings, Duration batchMaxAge,
        Path stateDir, OutboxSettings outbox, List<SensorSpec> sensors, Path root) {

    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    public AgentConfig {
        if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
            throw new ConfigException("device.id", "must be 1-128 letters, digits, '.', '_', ':', '@' or '-' "
                    + "(no '/', '+' or '#': it is an MQTT topic segment), got '" + deviceId + "'");
        }
        Objects.requireNonNull(mqtt, "mqtt");
        if (batchMaxReadings < 1 || batchMaxReadings > 100_000) {
            throw new ConfigException("batch.max-readings", "must be 1..100000, got " + batchMaxReadings);
        }
        Objects.requireNonNull(batchMaxAge, "batch.max-age");
        Objects.requireNonNull(stateDir, "outbox.dir");
        Objects.requireNonNull(outbox, "outbox");
        sensors = List.copyOf(sensors);
        if (sensors.isEmpty()) {
            throw new ConfigException("sensors", "at least one sensor is required");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < sensors.size(); i++) {
            if (!names.add(sensors.get(i).name())) {
                throw new ConfigException("sensors[" + i + "].name", "duplicate sensor name '"
                        + sensors.get(i).name() + "'");
            }
        }
        root = root == null ? Path.of("/") : root;
    }

    public String telemetryTopic() {
        return "devices/" + deviceId + "/telemetry";
    }

    public String statusTopic() {
        return "devices/" + deviceId + "/status";
    }

    public String configTopic() {
        return "devices/" + deviceId + "/config";
    }
}
