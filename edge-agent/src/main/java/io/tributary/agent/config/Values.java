package io.tributary.agent.config;

import io.tributary.common.Durations;
import java.time.Duration;

/** The value forms the config file accepts beyond YAML's own; failures name the key. */
public final class Values {

    private Values() {
    }

    /**
     * A positive duration in the one grammar of {@link Durations} ({@code 500ms}, {@code 5s}, {@code 1.5m}, {@code 2h},
     * {@code 1d}, ISO-8601 {@code PT5S}), or a YAML number of seconds.
     *
     * @throws ConfigException naming {@code key}
     */
    public static Duration positiveDuration(Object value, String key) {
        Duration d;
        if (value instanceof Number n) {
            d = Duration.ofMillis(Math.round(n.doubleValue() * 1000));
        } else {
            try {
                d = Durations.parse(String.valueOf(value));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, e.getMessage());
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException(key, "must be positive, got '" + value + "'");
        }
        return d;
    }
}
