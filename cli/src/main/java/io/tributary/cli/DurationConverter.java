package io.tributary.cli;

import io.tributary.common.Durations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Reads a duration option in the pipeline's one grammar ({@link Durations}: {@code 250ms}, {@code 30s}, {@code 2m},
 * {@code 1h}, {@code 1d}, ISO-8601). A bad value becomes picocli's usage error, so the command answers in one line.
 */
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
