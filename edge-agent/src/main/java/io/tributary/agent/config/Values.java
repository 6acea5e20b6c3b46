package io.tributary.agent.config;

import io.tributary.common.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The value forms the config file accepts beyond YAML's own; failures name the key. */
public final class Values {

    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)");

    private Values() {
    }

    /**
     * A positive duration in the one grammar of {@link Durations} ({@code 500ms}, {@code 5s}, {@code 1.5m}, {@code 2h},
     * {@code 1d}, ISO-8601 {@code PT5S}), or a YAML number of seconds.
     *
     * @throws IllegalArgumentException whose message starts with {@code key}
     */
    public static Duration positiveDuration(Object value, String key) {
        Duration d;
        if (value instanceof Number n) {
            d = Duration.ofMillis(Math.round(n.doubleValue() * 1000));
        } else {
            try {
                d = Durations.parse(String.valueOf(value));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage());
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + ": must be positive, got '" + value + "'");
        }
        return d;
    }

    /** "16MiB", "512KiB", "1G", or a number of bytes (binary multiples). */
    public static long bytes(Object value, String key) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        Matcher m = BYTES.matcher(String.valueOf(value).strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a size (e.g. 16MiB, 512KiB)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "k", "kb", "kib" -> n * 1024;
            case "m", "mb", "mib" -> n * 1024 * 1024;
            case "g", "gb", "gib" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
    }
}
