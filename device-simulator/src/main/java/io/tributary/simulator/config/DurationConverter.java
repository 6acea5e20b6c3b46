package io.tributary.simulator.config;

import io.tributary.common.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** Reads duration options with the common grammar ({@code 500ms}, {@code 40s}, {@code 5m}, {@code PT1M30S}, ...). */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return Durations.parse(value);
    }
}
