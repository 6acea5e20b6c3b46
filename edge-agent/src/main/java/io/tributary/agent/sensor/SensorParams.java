package io.tributary.agent.sensor;

import java.nio.file.Path;

/** A sensor's type-specific parameters; a bad one is an IllegalArgumentException whose message starts with its key. */
final class SensorParams {

    private SensorParams() {
    }

    static String string(SensorSpec spec, String key, String fallback) {
        Object v = spec.params().get(key);
        if (v == null) {
            if (fallback == null) {
                throw new IllegalArgumentException(key + ": required for a " + spec.type() + " sensor");
            }
            return fallback;
        }
        return String.valueOf(v);
    }

    static int integer(SensorSpec spec, String key, int fallback) {
        Object v = spec.params().get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Integer i && i >= 0) {
            return i;
        }
        throw new IllegalArgumentException(key + ": must be a non-negative integer, got '" + v + "'");
    }

    /** A path parameter, resolved under {@code root} (absolute or not). */
    static Path path(Path root, SensorSpec spec, String key) {
        String p = string(spec, key, null);
        return p.startsWith("/") ? root.resolve(p.substring(1)) : root.resolve(p);
    }
}
