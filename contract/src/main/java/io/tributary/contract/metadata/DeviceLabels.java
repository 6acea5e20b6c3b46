package io.tributary.contract.metadata;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.tributary.contract.registry.DeviceIds;

/**
 * A device's labels ({@code site=plant-3}, {@code kind=motor}): its metadata, without secrets, stored in the compacted
 * {@code {prefix}device-metadata} topic (key = device id, value = {@link #toJson()}, a tombstone = no labels), where
 * every processor instance sees a change live.
 *
 * <p>Bounded so a label can be an InfluxDB tag, a Grafana variable and a log word without escaping: at most
 * {@value #MAX_LABELS} labels; a key is a lower-case letter then up to {@value #MAX_KEY_LENGTH} − 1 letters, digits or
 * {@code _}, and not a tag name the pipeline writes itself ({@link #RESERVED_KEYS}); a value is 1 to
 * {@value #MAX_VALUE_LENGTH} ASCII letters, digits or {@code ._-:/}.
 *
 * @param deviceId whose labels
 * @param labels sorted by key, unmodifiable
 * @param updated when they were last set
 */
public record DeviceLabels(String deviceId, Map<String, String> labels, Instant updated) {

    public static final int MAX_LABELS = 16;
    public static final int MAX_KEY_LENGTH = 32;
    public static final int MAX_VALUE_LENGTH = 64;
    /** Tag and field names of the InfluxDB measurements (docs/DESIGN.md): a label may not shadow them. */
    public static final Set<String> RESERVED_KEYS = Set.of("device", "sensor", "window", "rule", "severity", "state",
            "value", "threshold", "message", "time");
    /** Longest stored value we read: bounds what one hostile record can make a consumer parse. */
    public static final int MAX_JSON_BYTES = 8 * 1024;

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]{0," + (MAX_KEY_LENGTH - 1) + "}");
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9._:/-]{1," + MAX_VALUE_LENGTH + "}");
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    /** @throws IllegalArgumentException naming the first label that breaks a rule */
    public DeviceLabels {
        if (!DeviceIds.isValid(deviceId)) {
            throw new IllegalArgumentException("invalid device id '" + deviceId + "'");
        }
        Objects.requireNonNull(updated, "updated");
        labels = checked(labels);
    }

    /**
     * The labels sorted by key, unmodifiable.
     *
     * @throws IllegalArgumentException when there are too many or one breaks a rule, saying which
     */
    public static Map<String, String> checked(Map<String, String> labels) {
        if (labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException("a device has at most " + MAX_LABELS + " labels, got " + labels.size());
        }
        labels.forEach(DeviceLabels::check);
        return Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    public static DeviceLabels none(String deviceId) {
        return new DeviceLabels(deviceId, Map.of(), Instant.EPOCH);
    }

    /** @throws IllegalArgumentException if {@code key=value} breaks a rule, saying which */
    public static void check(String key, String value) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("label key '" + key + "' must be a lower-case letter then at most "
                    + (MAX_KEY_LENGTH - 1) + " lower-case letters, digits or '_'");
        }
        if (RESERVED_KEYS.contains(key)) {
            throw new IllegalArgumentException("label key '" + key + "' is reserved (one of " + RESERVED_KEYS + ")");
        }
        if (value == null || !VALUE.matcher(value).matches()) {
            throw new IllegalArgumentException("label " + key + ": value '" + value + "' must be 1 to "
                    + MAX_VALUE_LENGTH + " ASCII letters, digits or ._-:/");
        }
    }

    /** Parses {@code key=value}, as the CLI takes it. */
    public static Map.Entry<String, String> parse(String keyValue) {
        int eq = keyValue.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("label '" + keyValue + "' is not key=value");
        }
        String key = keyValue.substring(0, eq);
        String value = keyValue.substring(eq + 1);
        check(key, value);
        return Map.entry(key, value);
    }

    /** These labels with {@code set} added or replaced and the keys of {@code unset} removed. */
    public DeviceLabels with(Map<String, String> set, Set<String> unset, Instant now) {
        Map<String, String> next = new TreeMap<>(labels);
        next.keySet().removeAll(unset);
        next.putAll(set);
        return new DeviceLabels(deviceId, next, now);
    }

    /** {@code {"device":"d-1","labels":{"kind":"motor","site":"plant-3"},"updated":"<ISO-8601>"}}. */
    public byte[] toJson() {
        ObjectNode json = MAPPER.createObjectNode().put("device", deviceId);
        ObjectNode map = json.putObject("labels");
        labels.forEach(map::put);
        json.put("updated", updated.toString());
        return json.toString().getBytes(StandardCharsets.UTF_8); // Jackson's default settings: compact JSON
    }

    /**
     * Reads a stored value.
     *
     * @param key the record key: the device id the value must name
     * @throws IllegalArgumentException when the value is not valid labels of that device (a hostile or broken record:
     *     the caller counts it and keeps what it had)
     */
    public static DeviceLabels fromJson(String key, byte[] value) {
        if (value.length > MAX_JSON_BYTES) {
            throw new IllegalArgumentException("labels record of " + value.length + " bytes exceeds "
                    + MAX_JSON_BYTES);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(new String(value, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("labels record is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("labels").isObject()) {
            throw new IllegalArgumentException("labels record is not an object with a 'labels' object");
        }
        if (!key.equals(root.path("device").asText(null))) {
            throw new IllegalArgumentException("labels record under key '" + key + "' names device '"
                    + root.path("device").asText(null) + "'");
        }
        Map<String, String> labels = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : root.path("labels").properties()) {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("label " + e.getKey() + " is not a string");
            }
            labels.put(e.getKey(), e.getValue().textValue());
        }
        Instant updated;
        try {
            updated = Instant.parse(root.path("updated").asText(""));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("labels record has no ISO-8601 'updated'", e);
        }
        return new DeviceLabels(key, labels, updated);
    }
}
