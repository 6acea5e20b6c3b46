package io.tributary.processor.config;

import java.time.Duration;
import java.util.Locale;

/** Parses durations as people write them in config files: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, ISO-8601. */
public final class Durations {

    private Durations() {
    }

    /**
     * @throws IllegalArgumentException with a message showing the accepted forms
     */
    public static Duration parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("p")) {
                return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            if (!v.isEmpty()) {
                long amount = Long.parseLong(v.substring(0, v.length() - 1).trim());
                switch (v.charAt(v.length() - 1)) {
                    case 's':
                        return Duration.ofSeconds(amount);
                    case 'm':
                        return Duration.ofMinutes(amount);
                    case 'h':
                        return Duration.ofHours(amount);
                    case 'd': // the input contract's max-event-age is days (30d)
                        return Duration.ofDays(amount);
                    default:
                        break;
                }
            }
        } catch (RuntimeException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("'" + value + "' is not a duration: use e.g. 500ms, 10s, 2m, 1h, 30d or PT10S");
    }

    /** The shortest of {@code 250ms}, {@code 10s}, {@code 2m}, {@code 1h} that says the same. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
