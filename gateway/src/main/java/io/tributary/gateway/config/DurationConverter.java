package io.tributary.gateway.config;

import io.tributary.common.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** Reads a duration option, environment variable or YAML value in the pipeline's one grammar ({@link Durations}). */
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
