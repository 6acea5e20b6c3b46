package io.tributary.gateway.mqtt;

import io.tributary.common.LogSanitizer;
import io.tributary.common.LogThrottle;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs events caused by devices so that a misbehaving device cannot flood the log: every event at DEBUG, and per
 * category at most one WARN line per interval, which says how many events it stands for. The device id and the detail
 * usually hold text the device chose (client id, topic, reason): both are passed through {@link LogSanitizer}, so a
 * device cannot forge log lines or flood the log with one long value. Thread-safe.
 */
final class RateLimitedLog {

    /** A detail (a reason naming the reading and the rule, an exception message) may be longer than an id. */
    static final int MAX_DETAIL_CHARS = 500;

    private final Logger log;
    private final LogThrottle throttle;

    RateLimitedLog(Logger log, Duration interval) {
        this(log, interval, System::nanoTime);
    }

    RateLimitedLog(Logger log, Duration interval, LongSupplier nanoClock) {
        this.log = log;
        this.throttle = new LogThrottle(interval, nanoClock);
    }

    /** Records one event of {@code category}; whether a WARN line was written for it. */
    boolean log(String category, String device, String detail) {
        if (log.isDebugEnabled()) {
            log.debug("{} [device: {}]: {}", LogSanitizer.sanitize(category), LogSanitizer.sanitize(device),
                    LogSanitizer.sanitize(detail, MAX_DETAIL_CHARS));
        }
        long heldBack = throttle.pass(category);
        if (heldBack == LogThrottle.HELD_BACK) {
            return false;
        }
        log.warn("{} [device: {}, events since the previous report: {}]: {} (more of this kind within {} s are"
                + " logged at DEBUG only)", LogSanitizer.sanitize(category), LogSanitizer.sanitize(device),
                heldBack + 1, LogSanitizer.sanitize(detail, MAX_DETAIL_CHARS), throttle.intervalSeconds());
        return true;
    }
}
