package io.tributary.demo;

import io.tributary.common.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** Duration options in the one grammar of every Tributary part ({@link Durations}: {@code 30s}, {@code 2m}, ISO-8601). */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
