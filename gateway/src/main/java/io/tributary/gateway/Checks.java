package io.tributary.gateway;

import java.time.Duration;

/** The checks of the gateway's config records; {@code name} names the component and its {@code GatewayMain} option. */
public final class Checks {

    private Checks() {
    }

    public static void atLeast(long value, long min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }

    public static void range(long value, long min, long max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + value);
        }
    }

    public static void present(Object value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }

    public static void atLeast(Duration value, Duration min, String name) {
        present(value, name);
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(name + " must be at least " + min.toMillis() + " ms, got "
                    + value.toMillis() + " ms");
        }
    }
}
