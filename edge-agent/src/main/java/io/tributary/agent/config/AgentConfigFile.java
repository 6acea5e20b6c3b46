package io.tributary.agent.config;

import static io.tributary.agent.config.YamlValues.bool;
import static io.tributary.agent.config.YamlValues.checkKeys;
import static io.tributary.agent.config.YamlValues.dur;
import static io.tributary.agent.config.YamlValues.enumValue;
import static io.tributary.agent.config.YamlValues.integer;
import static io.tributary.agent.config.YamlValues.number;
import static io.tributary.agent.config.YamlValues.section;
import static io.tributary.agent.config.YamlValues.str;
import static io.tributary.agent.config.YamlValues.stringKeys;
import static io.tributary.agent.config.YamlValues.yamlMap;

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

        /** Without a password file. */
        public Overrides(String deviceId, String password, String mqttUri, Path stateDir, Path root) {
            this(deviceId, password, mqttUri, stateDir, root, null);
        }

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
        Map<String, Object> root = yamlMap(yaml, "config");
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

    private static AgentConfig build(Map<String, Object> root, Overrides o) {
        checkKeys(root, TOP, "");
        Map<String, Object> device = section(root, "device", DEVICE);
        Map<String, Object> mqtt = section(root, "mqtt", MQTT);
        Map<String, Object> batch = section(root, "batch", BATCH);
        Map<String, Object> outbox = section(root, "outbox", OUTBOX);
        Map<String, Object> defaults = section(root, "defaults", DEFAULTS);

        String deviceId = o.deviceId() != null ? o.deviceId() : str(device, "id", "device.id", null);
        if (deviceId == null) {
            throw new ConfigException("device.id", "required (or --device-id / TRIBUTARY_DEVICE_ID)");
        }
        String password = secret(mqtt, "password");
        if (o.passwordFile() != null) {
            password = SecretFile.read(o.passwordFile(), "--password-file");
        } else if (o.password() != null && !o.password().isEmpty()) {
            password = o.password();
        }
        String keystorePassword = secret(mqtt, "client-keystore-password");
        BrokerConnection broker = new BrokerConnection(
                o.mqttUri() != null ? o.mqttUri() : str(mqtt, "uri", "mqtt.uri", "tcp://localhost:1883"),
                str(mqtt, "username", "mqtt.username", deviceId),
                password,
                existingFile(mqtt, "ca-file"),
                existingFile(mqtt, "client-keystore"),
                keystorePassword,
                dur(mqtt, "keepalive", "mqtt.keepalive", Duration.ofSeconds(60)),
                dur(mqtt, "connect-timeout", "mqtt.connect-timeout", Duration.ofSeconds(10)),
                dur(mqtt, "backoff-initial", "mqtt.backoff-initial", Duration.ofSeconds(1)),
                dur(mqtt, "backoff-max", "mqtt.backoff-max", Duration.ofSeconds(60)),
                integer(mqtt, "max-inflight", "mqtt.max-inflight", 16),
                number(mqtt, "replay-rate", "mqtt.replay-rate", 20));

        OutboxSettings outboxSettings = new OutboxSettings(
                outbox.containsKey("max-bytes") ? Values.bytes(outbox.get("max-bytes"), "outbox.max-bytes")
                        : 16L * 1024 * 1024,
                outbox.containsKey("segment-bytes")
                        ? Values.bytes(outbox.get("segment-bytes"), "outbox.segment-bytes") : 0,
                enumValue(outbox, "fsync", OutboxSettings.FsyncPolicy.class, OutboxSettings.FsyncPolicy.ALWAYS),
                dur(outbox, "fsync-interval", "outbox.fsync-interval", Duration.ofSeconds(1)),
                enumValue(outbox, "overflow", OutboxSettings.OverflowPolicy.class,
                        OutboxSettings.OverflowPolicy.DROP_OLDEST));
        Path stateDir = o.stateDir() != null ? o.stateDir()
                : Path.of(str(outbox, "dir", "outbox.dir", "/var/lib/tributary-agent"));

        Duration defaultInterval = dur(defaults, "interval", "defaults.interval", Duration.ofSeconds(5));
        Path sensorRoot = o.root() != null ? o.root() : Path.of("/");
        List<SensorSpec> sensors = sensors(root.get("sensors"), defaultInterval, sensorRoot);

        return new AgentConfig(deviceId, broker,
                integer(batch, "max-readings", "batch.max-readings", 500),
                dur(batch, "max-age", "batch.max-age", Duration.ofSeconds(10)),
                stateDir, outboxSettings, sensors, sensorRoot);
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
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new ConfigException(at, "must be a mapping with name and type");
            }
            Map<String, Object> s = stringKeys(m, at);
            String name = str(s, "name", at + ".name", null);
            if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw new ConfigException(at + ".name", "required, 1-64 letters, digits, '.', '_' or '-', got '"
                        + name + "'");
            }
            String type = str(s, "type", at + ".type", null);
            if (type == null || !Sensors.TYPES.containsKey(type)) {
                throw new ConfigException(at + ".type", (type == null ? "required" : "unknown type '" + type + "'")
                        + " (known: " + String.join(", ", new TreeSet<>(Sensors.TYPES.keySet())) + ")");
            }
            Set<String> allowed = new HashSet<>(SENSOR_COMMON);
            allowed.addAll(Sensors.TYPES.get(type));
            checkKeys(s, allowed, at + ".");
            Map<String, Object> params = new LinkedHashMap<>(s);
            SENSOR_COMMON.forEach(params::remove);
            SensorSpec spec = new SensorSpec(name, type, str(s, "unit", at + ".unit", ""),
                    dur(s, "interval", at + ".interval", defaultInterval),
                    number(s, "scale", at + ".scale", 1), number(s, "offset", at + ".offset", 0),
                    bool(s, "enabled", at + ".enabled", true), params);
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
    private static String secret(Map<String, Object> mqtt, String key) {
        String value = str(mqtt, key, "mqtt." + key, "");
        String file = str(mqtt, key + "-file", "mqtt." + key + "-file", null);
        if (file == null) {
            return value;
        }
        if (!value.isEmpty()) {
            throw new ConfigException("mqtt." + key + "-file", "give either " + key + " or " + key + "-file, not both");
        }
        return SecretFile.read(Path.of(file), "mqtt." + key + "-file");
    }

    private static Path existingFile(Map<String, Object> m, String k) {
        String v = str(m, k, "mqtt." + k, null);
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
