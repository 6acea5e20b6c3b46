package io.tributary.agent;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs at most one line per key per interval; the next line after a quiet interval says how many were left out. What
 * a gateway or a device can trigger in a loop must not fill the device's log (the journal, an SD card).
 */
final class RateLimitedLog {

    private final Logger log;
    private final long intervalMs;
    private final Map<Integer, long[]> byKey = new HashMap<>(); // key -> {last logged ms, suppressed since}

    RateLimitedLog(Logger log, long intervalMs) {
        this.log = log;
        this.intervalMs = intervalMs;
    }

    /** Logs {@code message} (SLF4J format) at WARN unless a line with this key was logged in the last interval. */
    synchronized boolean warn(int key, String message, Object... args) {
        long now = System.currentTimeMillis();
        long[] state = byKey.computeIfAbsent(key, k -> new long[] {Long.MIN_VALUE / 2, 0});
        if (now - state[0] < intervalMs) {
            state[1]++;
            return false;
        }
        long suppressed = state[1];
        state[0] = now;
        state[1] = 0;
        if (suppressed > 0) {
            log.warn(message + " (" + suppressed + " more like it not logged in the last " + intervalMs / 1000 + " s)",
                    args);
        } else {
            log.warn(message, args);
        }
        return true;
    }
}
