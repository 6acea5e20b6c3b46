package io.tributary.agent.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the value forms the config file accepts; failures name the key. */
public final class Values {

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");
    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)");

    private Values() {
    }

    /** "500ms", "5s", "1.5m", "2h", ISO-8601 "PT5S", or a number of seconds. */
    public static Duration duration(Object value, String key) {
        if (value instanceof Number n) {
            return Duration.ofMillis(Math.round(n.doubleValue() * 1000));
        }
        String text = String.valueOf(value).strip().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE_DURATION.matcher(text);
        Duration d;
        if (m.matches()) {
            double amount = Double.parseDouble(m.group(1));
            long unitMs = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                default -> 3_600_000;
            };
            d = Duration.ofMillis(Math.round(amount * unitMs));
        } else {
            try {
                d = Duration.parse(text.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(key + ": '" + value + "' is not a duration (e.g. 500ms, 5s, 1m, PT5S)");
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
