package io.tributary.agent.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Typed values out of parsed YAML: each getter takes the map, the key in it and the dotted key for the message, and
 * returns the fallback when the key is absent. Every problem is a {@link ConfigException} naming the dotted key.
 */
final class YamlValues {

    private YamlValues() {
    }

    /** Parses YAML (JSON is YAML too) into a map; an empty document is an empty map. */
    static Map<String, Object> yamlMap(String yaml, String what) {
        Object doc;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setMaxAliasesForCollections(10);
            options.setCodePointLimit(1024 * 1024);
            doc = new Yaml(new SafeConstructor(options)).load(yaml);
        } catch (YAMLException e) {
            throw new ConfigException(what, "not valid YAML: " + firstLine(e.getMessage()));
        }
        if (doc == null) {
            return Map.of();
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new ConfigException(what, "must be a mapping of keys to values");
        }
        return stringKeys(map, what);
    }

    static Map<String, Object> section(Map<String, Object> root, String key, Set<String> allowed) {
        Object v = root.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new ConfigException(key, "must be a mapping");
        }
        Map<String, Object> map = stringKeys(m, key);
        checkKeys(map, allowed, key + ".");
        return map;
    }

    static void checkKeys(Map<String, Object> map, Set<String> allowed, String prefix) {
        for (String k : map.keySet()) {
            if (!allowed.contains(k)) {
                throw new ConfigException(prefix + k, "unknown key (allowed: "
                        + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    static Map<String, Object> stringKeys(Map<?, ?> m, String at) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (!(k instanceof String s)) {
                throw new ConfigException(at, "keys must be strings, got " + k);
            }
            out.put(s, v);
        });
        return out;
    }

    static String str(Map<String, Object> m, String k, String key, String fallback) {
        Object v = m.get(k);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Map || v instanceof List) {
            throw new ConfigException(key, "must be a single value");
        }
        return String.valueOf(v);
    }

    static Duration dur(Map<String, Object> m, String k, String key, Duration fallback) {
        Object v = m.get(k);
        if (v == null) {
            return fallback;
        }
        try {
            return Values.positiveDuration(v, key);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage().substring(key.length() + 2));
        }
    }

    static int integer(Map<String, Object> m, String k, String key, int fallback) {
        return typed(m, k, key, Integer.class, fallback, "an integer");
    }

    static double number(Map<String, Object> m, String k, String key, double fallback) {
        Number n = typed(m, k, key, Number.class, fallback, "a number");
        if (!Double.isFinite(n.doubleValue())) {
            throw new ConfigException(key, "must be a number, got '" + m.get(k) + "'");
        }
        return n.doubleValue();
    }

    static boolean bool(Map<String, Object> m, String k, String key, boolean fallback) {
        return typed(m, k, key, Boolean.class, fallback, "true or false");
    }

    /** The value as the type YAML gave it, or the fallback when absent; {@code expected} names the type. */
    private static <T> T typed(Map<String, Object> m, String k, String key, Class<T> type, T fallback,
            String expected) {
        Object v = m.get(k);
        if (v == null) {
            return fallback;
        }
        if (type.isInstance(v)) {
            return type.cast(v);
        }
        throw new ConfigException(key, "must be " + expected + ", got '" + v + "'");
    }

    static <E extends Enum<E>> E enumValue(Map<String, Object> m, String k, Class<E> type, E fallback) {
        Object v = m.get(k);
        if (v == null) {
            return fallback;
        }
        String name = String.valueOf(v).strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        List<String> known = Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
        throw new ConfigException("outbox." + k, "'" + v + "' is not one of " + known);
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").strip() + (s.contains("line ")
                ? " (" + s.substring(s.indexOf("line ")).lines().findFirst().orElse("").strip() + ")" : "");
    }
}
