package io.tributary.processor.alert;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import io.tributary.common.Durations;
import io.tributary.contract.metadata.DeviceLabels;
import io.tributary.proto.v1.AlertEvent.Severity;

/**
 * Reads the alert rules file. Strict: an unknown key, a missing threshold or a bad duration rejects the whole file with
 * a message naming the rule and the key.
 *
 * <pre>
 * rules:
 *   - name: cpu_temp_high        # unique; becomes the InfluxDB tag "rule"
 *     device: "pi-*"             # glob, default "*"
 *     sensor: cpu_temp           # glob, default "*"
 *     above: 80                  # or below: ...
 *     clear: 75                  # hysteresis; default = the threshold
 *     for: 30s                   # how long the breach must last (event time); default 0s
 *     severity: critical         # info | warning | critical; default warning
 *     match: {site: plant-3}     # labels the device must have (every pair); default: any labels
 *   - name: device_silent
 *     device: "*"
 *     no-data-for: 2m            # fires when a device seen before sends nothing for 2 minutes (wall clock)
 *     severity: warning
 * </pre>
 */
public final class RulesParser {

    private static final Set<String> THRESHOLD_KEYS = Set.of("name", "device", "sensor", "above", "below", "clear",
            "for", "severity", "match");
    private static final Set<String> NO_DATA_KEYS = Set.of("name", "device", "no-data-for", "severity", "match");

    /** Thrown for a file that is not a valid rules file; the message says what and where. */
    public static final class InvalidRulesException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidRulesException(String message) {
            super(message);
        }
    }

    public RuleSet parse(String yamlText) throws InvalidRulesException {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
        } catch (YAMLException e) {
            throw new InvalidRulesException("not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            return RuleSet.EMPTY;
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new InvalidRulesException("expected a mapping with the key 'rules' at the top level");
        }
        for (Object key : top.keySet()) {
            if (!"rules".equals(key)) {
                throw new InvalidRulesException("unknown top-level key '" + key + "' (only 'rules' is allowed)");
            }
        }
        Object list = top.get("rules");
        if (list == null) {
            return RuleSet.EMPTY;
        }
        if (!(list instanceof List<?> entries)) {
            throw new InvalidRulesException("'rules' must be a list");
        }
        List<AlertRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String where = "rule #" + (i + 1);
            if (!(entries.get(i) instanceof Map<?, ?> entry)) {
                throw new InvalidRulesException(where + ": expected a mapping");
            }
            AlertRule rule;
            try {
                rule = parseRule(entry, where);
            } catch (IllegalArgumentException e) {
                throw new InvalidRulesException(where + ": " + e.getMessage());
            }
            if (!names.add(rule.name())) {
                throw new InvalidRulesException(where + ": duplicate rule name '" + rule.name() + "'");
            }
            rules.add(rule);
        }
        return new RuleSet(rules);
    }

    private static AlertRule parseRule(Map<?, ?> entry, String where) throws InvalidRulesException {
        Object nameValue = entry.get("name");
        if (!(nameValue instanceof String name) || name.isBlank()) {
            throw new InvalidRulesException(where + ": 'name' is required (a non-empty string)");
        }
        String at = where + " '" + name + "'";
        if (!name.matches("[A-Za-z0-9._:-]+")) {
            throw new InvalidRulesException(at + ": 'name' may contain only letters, digits, '.', '_', ':' and '-'");
        }
        boolean noData = entry.containsKey("no-data-for");
        Set<String> allowed = noData ? NO_DATA_KEYS : THRESHOLD_KEYS;
        for (Object key : entry.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw new InvalidRulesException(at + ": unknown or misplaced key '" + key + "' (allowed: "
                        + new java.util.TreeSet<>(allowed) + ")");
            }
        }
        Glob device = Glob.of(string(entry, "device", "*", at));
        Severity severity = severity(entry, at);
        Map<String, String> match = match(entry, at);
        if (noData) {
            return new AlertRule.NoData(name, device, duration(entry, "no-data-for", null, at), severity, match);
        }
        boolean above = entry.containsKey("above");
        boolean below = entry.containsKey("below");
        if (above == below) {
            throw new InvalidRulesException(at + ": exactly one of 'above', 'below' or 'no-data-for' is required");
        }
        String key = above ? "above" : "below";
        double threshold = number(entry, key, at);
        double clear = entry.containsKey("clear") ? number(entry, "clear", at) : threshold;
        return new AlertRule.Threshold(name, device, Glob.of(string(entry, "sensor", "*", at)),
                above ? AlertRule.Direction.ABOVE : AlertRule.Direction.BELOW, threshold, clear,
                duration(entry, "for", Duration.ZERO, at), severity, match);
    }

    /** {@code match: {key: value, ...}}: labels as DeviceLabels allows them (exact values, no globs). */
    private static Map<String, String> match(Map<?, ?> entry, String at) throws InvalidRulesException {
        Object v = entry.get("match");
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> pairs) || pairs.isEmpty()) {
            throw new InvalidRulesException(at + ": 'match' must be a mapping of labels, e.g. {site: plant-3}");
        }
        Map<String, String> match = new TreeMap<>();
        for (Map.Entry<?, ?> pair : pairs.entrySet()) {
            if (pair.getValue() instanceof Map || pair.getValue() instanceof List) {
                throw new InvalidRulesException(at + ": match: label " + pair.getKey() + " must have one value");
            }
            String key = String.valueOf(pair.getKey());
            String value = String.valueOf(pair.getValue());
            try {
                DeviceLabels.check(key, value);
            } catch (IllegalArgumentException e) {
                throw new InvalidRulesException(at + ": match: " + e.getMessage());
            }
            match.put(key, value);
        }
        return match;
    }

    private static String string(Map<?, ?> entry, String key, String fallback, String at)
            throws InvalidRulesException {
        Object v = entry.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Map || v instanceof List || String.valueOf(v).isEmpty()) {
            throw new InvalidRulesException(at + ": '" + key + "' must be a non-empty string");
        }
        return String.valueOf(v);
    }

    private static double number(Map<?, ?> entry, String key, String at) throws InvalidRulesException {
        Object v = entry.get(key);
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new InvalidRulesException(at + ": '" + key + "' must be a finite number, got '" + v + "'");
    }

    private static Duration duration(Map<?, ?> entry, String key, Duration fallback, String at)
            throws InvalidRulesException {
        Object v = entry.get(key);
        if (v == null) {
            if (fallback == null) {
                throw new InvalidRulesException(at + ": '" + key + "' is required");
            }
            return fallback;
        }
        try {
            Duration d = Durations.parse(String.valueOf(v));
            if (d.isNegative()) {
                throw new InvalidRulesException(at + ": '" + key + "' must not be negative");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new InvalidRulesException(at + ": '" + key + "': " + e.getMessage());
        }
    }

    private static Severity severity(Map<?, ?> entry, String at) throws InvalidRulesException {
        String v = string(entry, "severity", "warning", at).toLowerCase(Locale.ROOT);
        return switch (v) {
            case "info" -> Severity.INFO;
            case "warning" -> Severity.WARNING;
            case "critical" -> Severity.CRITICAL;
            default -> throw new InvalidRulesException(at + ": 'severity' must be info, warning or critical, got '"
                    + v + "'");
        };
    }
}
