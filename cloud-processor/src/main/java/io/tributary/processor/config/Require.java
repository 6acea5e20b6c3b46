package io.tributary.processor.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/** The config checks both config records share; each failure names the key. */
final class Require {

    private Require() {
    }

    static String nonBlank(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + ": must not be empty");
        }
        return value.trim();
    }

    static void positive(Duration value, String key) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + ": must be a positive duration, got " + value);
        }
    }

    /** A wall-clock interval Kafka Streams can schedule: positive and at least 1 ms. */
    static void schedulable(Duration value, String key) {
        positive(value, key);
        if (value.toMillis() < 1) {
            throw new IllegalArgumentException(key + ": must be at least 1ms, got " + value);
        }
    }

    static void between(int value, int min, int max, String key) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + ": must be between " + min + " and " + max + ", got " + value);
        }
    }

    static void httpUrl(String url, String key) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            if (scheme == null || !scheme.matches("(?i)https?") || uri.getHost() == null) {
                throw new IllegalArgumentException(key + ": expected http(s)://host[:port][/path], got '" + url + "'");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + ": not a valid URL: '" + url + "' (" + e.getMessage() + ")", e);
        }
    }
}
