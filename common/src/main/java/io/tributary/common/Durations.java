package io.tributary.common;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of every Tributary part (options, config files, environment variables): a number with a
 * unit, {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d}, decimals ({@code 1.5s}), a bare {@code 0}, or
 * ISO-8601 ({@code PT0.002S}). Units are case-insensitive and may follow the number after spaces.
 */
public final class Durations {

    /** What the error messages show as accepted forms. */
    public static final String EXAMPLES = "500ms, 40s, 5m, 2h, 1d, 1.5s, 0 or PT1M30S";

    private static final Pattern SIMPLE = Pattern.compile("([+-]?\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
    private static final Pattern ISO = Pattern.compile("[+-]?[Pp]");
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private Durations() {
    }

    /**
     * @throws IllegalArgumentException naming the text and showing the accepted forms
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a duration must not be empty (examples: " + EXAMPLES + ")");
        }
        String trimmed = text.strip();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        Matcher simple = SIMPLE.matcher(trimmed.toLowerCase(Locale.ROOT));
        try {
            if (simple.matches()) {
                BigDecimal nanos = new BigDecimal(simple.group(1)).multiply(nanosPer(simple.group(2)));
                // Sub-nanosecond digits cannot be held by a Duration: round them, as ISO-8601 parsing cannot.
                BigDecimal[] split = nanos.setScale(0, RoundingMode.HALF_UP)
                        .divideAndRemainder(BigDecimal.valueOf(NANOS_PER_SECOND));
                return Duration.ofSeconds(split[0].longValueExact(), split[1].longValueExact());
            }
            if (ISO.matcher(trimmed).lookingAt()) {
                return Duration.parse(trimmed);
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(notADuration(text), e);
        }
        throw new IllegalArgumentException(notADuration(text));
    }

    /**
     * The duration in its largest whole unit: {@code 30d}, {@code 36h}, {@code 5m}, {@code 90s}, {@code 1500ms} (or
     * {@code 0.25ms} below a millisecond); {@link #parse} reads it back to the same duration.
     */
    public static String format(Duration duration) {
        if (duration.getNano() % 1_000_000 != 0) {
            BigDecimal ms = BigDecimal.valueOf(duration.getSeconds()).multiply(BigDecimal.valueOf(1000))
                    .add(BigDecimal.valueOf(duration.getNano(), 6));
            return ms.stripTrailingZeros().toPlainString() + "ms";
        }
        if (duration.getNano() != 0) {
            return duration.toMillis() + "ms";
        }
        long seconds = duration.getSeconds();
        if (seconds != 0 && seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds != 0 && seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds != 0 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    private static BigDecimal nanosPer(String unit) {
        long nanos = switch (unit) {
            case "ms" -> 1_000_000L;
            case "s" -> NANOS_PER_SECOND;
            case "m" -> 60 * NANOS_PER_SECOND;
            case "h" -> 3_600 * NANOS_PER_SECOND;
            default -> 86_400 * NANOS_PER_SECOND;
        };
        return BigDecimal.valueOf(nanos);
    }

    private static String notADuration(String text) {
        return "'" + text + "' is not a duration (examples: " + EXAMPLES + ")";
    }
}
