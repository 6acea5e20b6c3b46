package io.tributary.simulator.scenario;

import io.tributary.common.Durations;
import io.tributary.simulator.sensor.DeviceKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a scenario file. Strict: an unknown key, a wrong type or a bad value rejects the file with a message naming the
 * key, e.g. {@code profiles[1] 'machines': batch-size must be between 1 and 10000, got 0}.
 *
 * <pre>
 * name: demo
 * seed: 42                      # same seed, same values
 * connect-rate: 500             # devices connecting per second at the start
 * profiles:
 *   - name: rooms
 *     kind: environment         # environment | machine | battery | generic
 *     devices: 20
 *     sample-interval: 1s       # each sensor sampled every second
 *     batch-size: 5             # samples per sensor per batch: one publish every 5 s
 *     labels: {site: plant-3, kind: hvac}   # written to the device metadata topic at provisioning
 * anomalies:
 *   - type: spike               # spike | drift | stuck | silent | reconnect-storm | clock-skew | duplicate | malformed
 *                               # | seq-gap (skip: N, every-batches: M) | replay (batches: N, every-batches: M)
 *     profile: rooms            # default: the whole fleet
 *     devices: 2                # the first 2 devices of the profile; default: all
 *     sensor: temperature       # spike, drift, stuck: default every sensor
 *     at: 10s                   # after the fleet started
 *     duration: 20s
 *     add: 8                    # spike: added to the value; drift: per-second: added per second
 *     expect-alert: temperature_high   # the alert rule this must fire (checked by simulator verify)
 * </pre>
 */
public final class ScenarioLoader {

    /** A scenario file that cannot be used; the message names the key. */
    public static final class InvalidScenarioException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidScenarioException(String message) {
            super(message);
        }
    }

    private static final Set<String> TOP_KEYS = Set.of("name", "seed", "connect-rate", "profiles", "anomalies");
    private static final Set<String> PROFILE_KEYS = Set.of("name", "kind", "devices", "sensors", "sample-interval",
            "batch-size", "labels");
    private static final Set<String> ANOMALY_KEYS = Set.of("type", "profile", "devices", "sensor", "at", "duration",
            "expect-alert");

    private ScenarioLoader() {
    }

    /** The scenarios in the jar (from device-simulator/scenarios/), usable by name. */
    public static final String BUNDLED_NAMES = "demo, mixed-10k, steady";

    /**
     * A scenario file if {@code nameOrFile} names one, else the bundled scenario of that name.
     *
     * @throws InvalidScenarioException when it is neither, or does not load
     */
    public static Scenario resolve(String nameOrFile) throws InvalidScenarioException {
        Path file = Path.of(nameOrFile);
        // A regular file only: a directory of the same name (the repository has one called demo) is not a scenario.
        if (Files.isRegularFile(file)) {
            return load(file);
        }
        String text;
        try (InputStream bundled = ScenarioLoader.class.getResourceAsStream("/scenarios/" + nameOrFile + ".yaml")) {
            if (bundled == null || nameOrFile.contains("/")) {
                throw new InvalidScenarioException("no scenario file " + nameOrFile + " and no bundled scenario of "
                        + "that name (bundled: " + BUNDLED_NAMES + ")");
            }
            text = new String(bundled.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidScenarioException("cannot read the bundled scenario " + nameOrFile + ": " + e.getMessage());
        }
        return parse(text, "bundled scenario " + nameOrFile);
    }

    public static Scenario load(Path file) throws InvalidScenarioException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidScenarioException("cannot read scenario file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    private static Scenario parse(String yaml, String source) throws InvalidScenarioException {
        try {
            return parse(yaml);
        } catch (InvalidScenarioException e) {
            throw new InvalidScenarioException(source + ": " + e.getMessage());
        }
    }

    public static Scenario parse(String yaml) throws InvalidScenarioException {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new InvalidScenarioException("not valid YAML: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new InvalidScenarioException("expected a mapping with at least the key 'profiles' at the top level");
        }
        checkKeys(top, TOP_KEYS, "the top level");
        try {
            String name = string(top, "name", "scenario", "name");
            long seed = integer(top, "seed", Scenario.DEFAULT_SEED, "seed");
            int connectRate = (int) integer(top, "connect-rate", Scenario.DEFAULT_CONNECT_RATE, "connect-rate");
            List<Profile> profiles = new ArrayList<>();
            List<?> profileList = list(top, "profiles", true);
            for (int i = 0; i < profileList.size(); i++) {
                profiles.add(profile(profileList.get(i), "profiles[" + i + "]"));
            }
            List<Anomaly> anomalies = new ArrayList<>();
            List<?> anomalyList = list(top, "anomalies", false);
            for (int i = 0; i < anomalyList.size(); i++) {
                anomalies.add(anomaly(anomalyList.get(i), "anomalies[" + i + "]"));
            }
            return new Scenario(name, seed, connectRate, profiles, anomalies);
        } catch (IllegalArgumentException e) {
            throw new InvalidScenarioException(e.getMessage());
        }
    }

    private static Profile profile(Object entry, String where) throws InvalidScenarioException {
        if (!(entry instanceof Map<?, ?> map)) {
            throw new InvalidScenarioException(where + ": expected a mapping with name, kind and devices");
        }
        String name = string(map, "name", null, where + ".name");
        String at = where + " '" + name + "'";
        checkKeys(map, PROFILE_KEYS, at);
        String kindName = string(map, "kind", null, at + ".kind");
        DeviceKind kind = DeviceKind.byName(kindName);
        if (kind == null) {
            throw new InvalidScenarioException(at + ".kind: must be one of " + Arrays.stream(DeviceKind.values())
                    .map(DeviceKind::scenarioName).toList() + ", got '" + kindName + "'");
        }
        if (kind != DeviceKind.GENERIC && map.containsKey("sensors")) {
            throw new InvalidScenarioException(at + ".sensors: only a generic profile has a sensor count; "
                    + kindName + " devices have " + kind.sensorNames(1));
        }
        Duration sampleInterval = duration(map, "sample-interval", kind.defaultSampleInterval, at);
        try {
            return new Profile(name, kind, (int) integer(map, "devices", -1, at + ".devices"),
                    (int) integer(map, "sensors", 3, at + ".sensors"), sampleInterval,
                    (int) integer(map, "batch-size", kind.defaultBatchSize, at + ".batch-size"),
                    labels(map.get("labels"), at + ".labels"));
        } catch (IllegalArgumentException e) {
            throw new InvalidScenarioException(at + ": " + e.getMessage());
        }
    }

    private static Anomaly anomaly(Object entry, String where) throws InvalidScenarioException {
        if (!(entry instanceof Map<?, ?> map)) {
            throw new InvalidScenarioException(where + ": expected a mapping with type, at and duration");
        }
        String typeName = string(map, "type", null, where + ".type");
        Anomaly.Type type = Anomaly.Type.byName(typeName);
        if (type == null) {
            throw new InvalidScenarioException(where + ".type: must be one of " + Arrays.stream(Anomaly.Type.values())
                    .map(Anomaly.Type::scenarioName).toList() + ", got '" + typeName + "'");
        }
        String at = where + " (" + typeName + ")";
        String amountKey = switch (type) {
            case SPIKE -> "add";
            case DRIFT -> "per-second";
            case RECONNECT_STORM -> "every";
            case CLOCK_SKEW -> "offset";
            case SEQ_GAP -> "skip";
            case REPLAY -> "batches";
            default -> null;
        };
        Set<String> allowed = new TreeSet<>(ANOMALY_KEYS);
        if (amountKey != null) {
            allowed.add(amountKey);
        }
        if (type.counted()) {
            allowed.add("every-batches");
        }
        checkKeys(map, allowed, at);
        Object devices = map.get("devices");
        int count = devices == null || "all".equals(devices) ? Anomaly.ALL
                : (int) integer(map, "devices", Anomaly.ALL, at + ".devices");
        double amount = type == Anomaly.Type.SPIKE || type == Anomaly.Type.DRIFT ? number(map, amountKey, at) : 0;
        // reconnect-storm: every (default 5s); clock-skew: offset (required)
        Duration interval = type == Anomaly.Type.RECONNECT_STORM || type == Anomaly.Type.CLOCK_SKEW
                ? duration(map, amountKey, type == Anomaly.Type.RECONNECT_STORM ? Duration.ofSeconds(5) : null, at)
                : null;
        try {
            return new Anomaly(type, string(map, "profile", null, at + ".profile"), count,
                    string(map, "sensor", null, at + ".sensor"), duration(map, "at", null, at),
                    duration(map, "duration", null, at), amount, interval,
                    string(map, "expect-alert", null, at + ".expect-alert"),
                    type.counted() ? (int) integer(map, amountKey, 1, at + "." + amountKey) : 0,
                    (int) integer(map, "every-batches", 0, at + ".every-batches"));
        } catch (IllegalArgumentException e) {
            throw new InvalidScenarioException(at + ": " + e.getMessage());
        }
    }

    /** A mapping of label key to a string (or whole-number) value; checked against the label rules by Profile. */
    private static Map<String, String> labels(Object value, String where) throws InvalidScenarioException {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new InvalidScenarioException(where + ": must be a mapping of key: value, e.g. {site: plant-3}");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String || e.getValue() instanceof Integer || e.getValue() instanceof Long)) {
                throw new InvalidScenarioException(where + "." + e.getKey() + ": must be a string, got '"
                        + e.getValue() + "'");
            }
            labels.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
        }
        return labels;
    }

    private static void checkKeys(Map<?, ?> map, Set<String> allowed, String where) throws InvalidScenarioException {
        for (Object key : map.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw new InvalidScenarioException(where + ": unknown key '" + key + "' (allowed: "
                        + new TreeSet<>(allowed) + ")");
            }
        }
    }

    private static List<?> list(Map<?, ?> map, String key, boolean required) throws InvalidScenarioException {
        Object value = map.get(key);
        if (value == null) {
            if (required) {
                throw new InvalidScenarioException(key + ": is required (a list)");
            }
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new InvalidScenarioException(key + ": must be a list");
        }
        return list;
    }

    private static String string(Map<?, ?> map, String key, String fallback, String where)
            throws InvalidScenarioException {
        Object value = map.get(key);
        if (value == null) {
            if (fallback == null && !map.containsKey(key) && Set.of("name", "kind", "type").contains(key)) {
                throw new InvalidScenarioException(where + ": is required");
            }
            return fallback;
        }
        if (!(value instanceof String text) || text.isBlank()) {
            throw new InvalidScenarioException(where + ": must be a non-empty string, got '" + value + "'");
        }
        return text;
    }

    private static long integer(Map<?, ?> map, String key, long fallback, String where)
            throws InvalidScenarioException {
        Object value = map.get(key);
        if (value == null) {
            if (fallback == -1 && key.equals("devices")) {
                throw new InvalidScenarioException(where + ": is required");
            }
            return fallback;
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw new InvalidScenarioException(where + ": must be a whole number, got '" + value + "'");
    }

    private static double number(Map<?, ?> map, String key, String where) throws InvalidScenarioException {
        Object value = map.get(key);
        if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
            return number.doubleValue();
        }
        throw new InvalidScenarioException(where + "." + key + ": is required, a finite number"
                + (value == null ? "" : ", got '" + value + "'"));
    }

    private static Duration duration(Map<?, ?> map, String key, Duration fallback, String where)
            throws InvalidScenarioException {
        Object value = map.get(key);
        if (value == null) {
            if (fallback == null) {
                throw new InvalidScenarioException(where + "." + key + ": is required (a duration such as 30s)");
            }
            return fallback;
        }
        try {
            return Durations.parse(String.valueOf(value)); // a sign is allowed: -10s is before the reference
        } catch (IllegalArgumentException e) {
            throw new InvalidScenarioException(where + "." + key + ": " + e.getMessage());
        }
    }
}
