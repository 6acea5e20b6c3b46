package io.tributary.processor.contract;

import java.time.Duration;
import java.time.Instant;

import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;

/**
 * The part of the input contract the processor's own safety depends on: every reading has an event time within
 * [now - max age, now + max future] and a finite value. Rule names are those of the contract module.
 */
public final class TimeWindowCheck implements TelemetryCheck {

    private final long maxAgeNanos;
    private final long maxFutureNanos;

    public TimeWindowCheck(Duration maxEventAge, Duration maxEventFuture) {
        this.maxAgeNanos = saturatedNanos(maxEventAge);
        this.maxFutureNanos = saturatedNanos(maxEventFuture);
    }

    @Override
    public Violation check(ReadingBatch batch, long nowUnixNanos) {
        for (int i = 0; i < batch.getReadingsCount(); i++) {
            Reading r = batch.getReadings(i);
            long t = r.getEventTimeUnixNanos();
            if (t <= 0) {
                return new Violation("event_time_missing", "reading " + i + ": no event time (" + t + ")");
            }
            if (t - nowUnixNanos > maxFutureNanos) {
                return new Violation("event_time_in_future", "reading " + i + ": event time "
                        + Instant.ofEpochSecond(0, t) + " is more than " + Duration.ofNanos(maxFutureNanos)
                        + " ahead of now (" + Instant.ofEpochSecond(0, nowUnixNanos) + ")");
            }
            if (nowUnixNanos - t > maxAgeNanos) {
                return new Violation("event_time_too_old", "reading " + i + ": event time "
                        + Instant.ofEpochSecond(0, t) + " is more than " + Duration.ofNanos(maxAgeNanos)
                        + " before now (" + Instant.ofEpochSecond(0, nowUnixNanos) + ")");
            }
            if (!Double.isFinite(r.getValue())) {
                return new Violation("value_not_finite", "reading " + i + ": value " + r.getValue());
            }
        }
        return null;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
