package io.tributary.agent.config;

import io.tributary.agent.outbox.OutboxSettings;
import io.tributary.agent.sensor.SensorSpec;
import io.tributary.agent.sensor.Sensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the agent's YAML config file (see edge-agent/README.md and {@code agent.example.yaml}). Unknown keys are errors
 * (a typo must not silently fall back to a default). Every problem is a {@link ConfigException} naming the key.
 */
public final class AgentConfigFile {

    private static final Set<String> TOP = Set.of("device", "mqtt", "batch", "outbox", "sensors", "defaults");
    private static final Set<String> DEVICE = Set.of("id");
    private static final Set<String> MQTT = Set.of("uri", "username", "password", "password-file", "ca-file",
            "client-keystore", "client-keystore-password", "client-keystore-password-file", "keepalive", "connect-timeout", "backoff-initial",
            "backoff-max", "max-inflight", "replay-rate");
    private static final Set<String> BATCH = Set.of("max-readings", "max-age");
    private static final Set<String> OUTBOX = Set.of("dir", "max-bytes", "segment-bytes", "fsync", "fsync-interval",
            "overflow");
    private static final Set<String> DEFAULTS = Set.of("interval");
    private static final Set<String> SENSOR_COMMON = Set.of("name", "type", "unit", "interval", "scale", "offset",
            "enabled");

    /**
     * Values that override the file; null = not given. From the command line and env a secret comes only as a file
     * ({@code passwordFile}: {@code --password-file}, {@code TRIBUTARY_DEVICE_PASSWORD_FILE}); {@code password} is for
     * programs that embed the agent (tests) and is never filled from argv or env. {@code passwordFile} wins.
     */
    public record Overrides(String deviceId, String password, String mqttUri, Path stateDir, Path root,
            Path passwordFile) {
        public static final Overrides NONE = new Overrides(null, null, null, null, null, null);

        /** The password shown as {@code ***}. */
        @Override
        public String toString() {
            return "Overrides[deviceId=" + deviceId + ", password=" + (password == null ? null : "***")
                    + ", mqttUri=" + mqttUri + ", stateDir=" + stateDir + ", root=" + root + ", passwordFile="
                    + passwordFile + "]";
        }
    }

    private AgentConfigFile() {
    }

    public static AgentConfig load(Path file, Overrides overrides) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("config", "cannot read " + file + ": " + e);
        }
        return parse(text, overrides);
    }

    public static AgentConfig parse(String yaml, Overrides overrides) {
        YamlValues root = YamlValues.parse(yaml, "config");
        try {
            return build(root, overrides);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // settings records and helpers put the key first
            String message = e.getMessage();
            int colon = message.indexOf(": ");
            throw colon > 0 ? new ConfigException(message.substring(0, colon), message.substring(colon + 2))
                    : new ConfigException("config", message);
        }
    }

    private static AgentConfig build(YamlValues root, Overrides o) {
        root.checkKeys(TOP);
        YamlValues device = root.section("device", DEVICE);
        YamlValues mqtt = root.section("mqtt", MQTT);
        YamlValues batch = root.section("batch", BATCH);
        YamlValues outbox = root.section("outbox", OUTBOX);
        YamlValues defaults = root.section("defaults", DEFAULTS);

        String deviceId = o.deviceId() != null ? o.deviceId() : device.str("id", null);
        if (deviceId == null) {
            throw new ConfigException("device.id", "required (or --device-id / TRIBUTARY_DEVICE_ID)");
        }
        String password = secret(mqtt, "password");
        if (o.passwordFile() != null) {
            password = SecretFile.read(o.passwordFile(), "--password-file");
        } else if (o.password() != null && !o.password().isEmpty()) {
            password = o.password();
        }
        BrokerConnection broker = new BrokerConnection(
                o.mqttUri() != null ? o.mqttUri() : mqtt.str("uri", "tcp://localhost:1883"),
                mqtt.str("username", deviceId),
                password,
                existingFile(mqtt, "ca-file"),
                existingFile(mqtt, "client-keystore"),
                secret(mqtt, "client-keystore-password"),
                mqtt.dur("keepalive", Duration.ofSeconds(60)),
                mqtt.dur("connect-timeout", Duration.ofSeconds(10)),
                mqtt.dur("backoff-initial", Duration.ofSeconds(1)),
                mqtt.dur("backoff-max", Duration.ofSeconds(60)),
                mqtt.integer("max-inflight", 16),
                mqtt.number("replay-rate", 20));

        OutboxSettings outboxSettings = new OutboxSettings(outbox.bytes("max-bytes", 16L * 1024 * 1024),
                outbox.bytes("segment-bytes", 0),
                outbox.enumValue("fsync", OutboxSettings.FsyncPolicy.class, OutboxSettings.FsyncPolicy.ALWAYS),
                outbox.dur("fsync-interval", Duration.ofSeconds(1)),
                outbox.enumValue("overflow", OutboxSettings.OverflowPolicy.class,
                        OutboxSettings.OverflowPolicy.DROP_OLDEST));
        Path stateDir = o.stateDir() != null ? o.stateDir() : Path.of(outbox.str("dir", "/var/lib/tributary-agent"));

        Duration defaultInterval = defaults.dur("interval", Duration.ofSeconds(5));
        Path sensorRoot = o.root() != null ? o.root() : Path.of("/");
        return new AgentConfig(deviceId, broker, batch.integer("max-readings", 500),
                batch.dur("max-age", Duration.ofSeconds(10)), stateDir, outboxSettings,
                sensors(root.map().get("sensors"), defaultInterval, sensorRoot), sensorRoot);
    }

    private static List<SensorSpec> sensors(Object raw, Duration defaultInterval, Path root) {
        if (raw == null) {
            throw new ConfigException("sensors", "required: a list of sensors");
        }
        if (!(raw instanceof List<?> list)) {
            throw new ConfigException("sensors", "must be a list");
        }
        List<SensorSpec> specs = new ArrayList<>();
        Sensors factory = new Sensors(root);
        for (int i = 0; i < list.size(); i++) {
            String at = "sensors[" + i + "]";
            YamlValues s = new YamlValues(at + ".", YamlValues.mapping(list.get(i), at,
                    "must be a mapping with name and type"));
            String name = s.str("name", null);
            if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw new ConfigException(at + ".name", "required, 1-64 letters, digits, '.', '_' or '-', got '"
                        + name + "'");
            }
            String type = s.str("type", null);
            if (type == null || !Sensors.TYPES.containsKey(type)) {
                throw new ConfigException(at + ".type", (type == null ? "required" : "unknown type '" + type + "'")
                        + " (known: " + String.join(", ", new TreeSet<>(Sensors.TYPES.keySet())) + ")");
            }
            Set<String> allowed = new HashSet<>(SENSOR_COMMON);
            allowed.addAll(Sensors.TYPES.get(type).params());
            s.checkKeys(allowed);
            Map<String, Object> params = new LinkedHashMap<>(s.map());
            SENSOR_COMMON.forEach(params::remove);
            SensorSpec spec = new SensorSpec(name, type, s.str("unit", ""), s.dur("interval", defaultInterval),
                    s.number("scale", 1), s.number("offset", 0), s.bool("enabled", true), params);
            try {
                factory.create(spec); // validates the type's parameters now, not at the first read
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at + "." + e.getMessage().split(": ", 2)[0],
                        e.getMessage().contains(": ") ? e.getMessage().split(": ", 2)[1] : e.getMessage());
            }
            specs.add(spec);
        }
        return specs;
    }

    /** {@code mqtt.KEY} or the content of the file {@code mqtt.KEY-file}, not both; "" when neither is given. */
    private static String secret(YamlValues mqtt, String key) {
        String value = mqtt.str(key, "");
        String file = mqtt.str(key + "-file", null);
        if (file == null) {
            return value;
        }
        if (!value.isEmpty()) {
            throw new ConfigException("mqtt." + key + "-file", "give either " + key + " or " + key + "-file, not both");
        }
        return SecretFile.read(Path.of(file), "mqtt." + key + "-file");
    }

    private static Path existingFile(YamlValues mqtt, String k) {
        String v = mqtt.str(k, null);
        if (v == null) {
            return null;
        }
        Path p = Path.of(v);
        if (!Files.isReadable(p)) {
            throw new ConfigException("mqtt." + k, "cannot read " + p);
        }
        return p;
    }
}
