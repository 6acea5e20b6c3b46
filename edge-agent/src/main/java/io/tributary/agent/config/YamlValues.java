package io.tributary.agent.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Typed values out of one parsed YAML mapping: each getter takes a key of it and returns the fallback when the key is
 * absent. Every problem is a {@link ConfigException} naming the dotted key ({@code prefix} + key).
 *
 * @param prefix what goes before a key in messages: {@code ""}, {@code "mqtt."}, {@code "sensors[2]."}
 */
record YamlValues(String prefix, Map<String, Object> map) {

    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)");

    /** Parses YAML (JSON is YAML too) into a mapping; an empty document is an empty mapping. */
    static YamlValues parse(String yaml, String what) {
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
            return new YamlValues("", Map.of());
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new ConfigException(what, "must be a mapping of keys to values");
        }
        return new YamlValues("", stringKeys(map, what));
    }

    /** The mapping under {@code key} (empty when absent), which may only hold the {@code allowed} keys. */
    YamlValues section(String key, Set<String> allowed) {
        Object v = map.get(key);
        YamlValues section = new YamlValues(prefix + key + ".", v == null ? Map.of() : mapping(v, prefix + key,
                "must be a mapping"));
        section.checkKeys(allowed);
        return section;
    }

    void checkKeys(Set<String> allowed) {
        for (String k : map.keySet()) {
            if (!allowed.contains(k)) {
                throw new ConfigException(prefix + k, "unknown key (allowed: "
                        + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    /** {@code v} as a mapping with string keys, or a {@link ConfigException} saying {@code problem} at {@code at}. */
    static Map<String, Object> mapping(Object v, String at, String problem) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new ConfigException(at, problem);
        }
        return stringKeys(m, at);
    }

    private static Map<String, Object> stringKeys(Map<?, ?> m, String at) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (!(k instanceof String s)) {
                throw new ConfigException(at, "keys must be strings, got " + k);
            }
            out.put(s, v);
        });
        return out;
    }

    String str(String k, String fallback) {
        Object v = map.get(k);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Map || v instanceof List) {
            throw new ConfigException(prefix + k, "must be a single value");
        }
        return String.valueOf(v);
    }

    Duration dur(String k, Duration fallback) {
        Object v = map.get(k);
        return v == null ? fallback : Values.positiveDuration(v, prefix + k);
    }

    int integer(String k, int fallback) {
        return typed(k, Integer.class, fallback, "an integer");
    }

    double number(String k, double fallback) {
        Number n = typed(k, Number.class, fallback, "a number");
        if (!Double.isFinite(n.doubleValue())) {
            throw new ConfigException(prefix + k, "must be a number, got '" + map.get(k) + "'");
        }
        return n.doubleValue();
    }

    boolean bool(String k, boolean fallback) {
        return typed(k, Boolean.class, fallback, "true or false");
    }

    /** The value as the type YAML gave it, or the fallback when absent; {@code expected} names the type. */
    private <T> T typed(String k, Class<T> type, T fallback, String expected) {
        Object v = map.get(k);
        if (v == null) {
            return fallback;
        }
        if (type.isInstance(v)) {
            return type.cast(v);
        }
        throw new ConfigException(prefix + k, "must be " + expected + ", got '" + v + "'");
    }

    /** A constant of {@code type}, spelled in lower case with {@code -} for {@code _}. */
    <E extends Enum<E>> E enumValue(String k, Class<E> type, E fallback) {
        Object v = map.get(k);
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
        throw new ConfigException(prefix + k, "'" + v + "' is not one of " + known);
    }

    /** "16MiB", "512KiB", "1G", or a number of bytes (binary multiples). */
    long bytes(String k, long fallback) {
        Object v = map.get(k);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        Matcher m = BYTES.matcher(String.valueOf(v).strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(prefix + k, "'" + v + "' is not a size (e.g. 16MiB, 512KiB)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "k", "kb", "kib" -> n * 1024;
            case "m", "mb", "mib" -> n * 1024 * 1024;
            case "g", "gb", "gib" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").strip() + (s.contains("line ")
                ? " (" + s.substring(s.indexOf("line ")).lines().findFirst().orElse("").strip() + ")" : "");
    }
}
