package io.tributary.processor.rollup;

import java.time.Duration;
import java.util.Objects;

/**
 * One tumbling window length and its label ({@code 10s}, {@code 1m}, {@code 1h}, or milliseconds as {@code 250ms}),
 * which becomes the {@code window} tag in InfluxDB.
 */
public record WindowSize(Duration size, String label) {

    public WindowSize {
        Objects.requireNonNull(size, "size");
        if (size.toMillis() <= 0) {
            throw new IllegalArgumentException("window size must be at least 1 ms, got " + size);
        }
        Objects.requireNonNull(label, "label");
    }

    public static WindowSize of(Duration size) {
        return new WindowSize(size, labelOf(size));
    }

    public long sizeMs() {
        return size.toMillis();
    }

    /** The start (inclusive, ms) of the window holding {@code timestampMs}; windows are aligned to the epoch. */
    public long windowStartMs(long timestampMs) {
        return Math.floorDiv(timestampMs, sizeMs()) * sizeMs();
    }

    static String labelOf(Duration size) {
        long ms = size.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
