package io.tributary.simulator.scenario;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * A scripted fault: what happens, to which devices, from when and for how long.
 *
 * @param type        what happens
 * @param profile     the profile whose devices it hits; null for the whole fleet
 * @param devices     how many of them, the first ones in order; {@link #ALL} for all
 * @param sensor      the sensor it changes (spike, drift, stuck); null for every sensor
 * @param at          start, after the fleet started
 * @param duration    how long it lasts
 * @param amount      spike: added to the value; drift: added per second since the start
 * @param interval    reconnect storm: how often the devices drop their connections; clock skew: the shift (may be
 *                    negative); otherwise unused
 * @param expectAlert the alert rule this must fire for each affected device (the verifier checks it), or null
 * @param count       seq-gap: sequence numbers skipped each time; replay: acknowledged batches sent again each time;
 *                    otherwise 0
 * @param everyBatches seq-gap, replay: it happens again every this many batches within the window; 0 for once, at the
 *                    window's first batch
 */
public record Anomaly(Type type, String profile, int devices, String sensor, Duration at, Duration duration,
        double amount, Duration interval, String expectAlert, int count, int everyBatches) {

    public static final int ALL = -1;

    /** The kinds of anomaly and their names in a scenario file. */
    public enum Type {
        SPIKE, DRIFT, STUCK, SILENT, RECONNECT_STORM, CLOCK_SKEW, DUPLICATE, MALFORMED, SEQ_GAP, REPLAY;

        public String scenarioName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Type byName(String name) {
            return Arrays.stream(values()).filter(type -> type.scenarioName().equals(name)).findFirst().orElse(null);
        }

        /** Whether it changes sensor values (and may name a sensor). */
        public boolean changesValues() {
            return this == SPIKE || this == DRIFT || this == STUCK;
        }

        /** Whether it happens per batch, {@code count} at a time (seq-gap, replay). */
        public boolean counted() {
            return this == SEQ_GAP || this == REPLAY;
        }
    }

    public Anomaly {
        Objects.requireNonNull(type, "type");
        if (devices != ALL && devices < 1) {
            throw new IllegalArgumentException("devices must be a positive number or 'all', got " + devices);
        }
        if (at == null || at.isNegative()) {
            throw new IllegalArgumentException("at must be a duration of zero or more, got " + at);
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, got " + duration);
        }
        if (!Double.isFinite(amount)) {
            throw new IllegalArgumentException("the amount must be a finite number");
        }
        if (type == Type.RECONNECT_STORM && (interval == null || interval.toMillis() < 100)) {
            throw new IllegalArgumentException("every must be at least 100ms, got " + interval);
        }
        if (type == Type.CLOCK_SKEW && (interval == null || interval.isZero())) {
            throw new IllegalArgumentException("offset must be a non-zero duration, got " + interval);
        }
        if (sensor != null && !type.changesValues()) {
            throw new IllegalArgumentException("sensor applies only to spike, drift and stuck");
        }
        if (type.counted() ? count < 1 || count > 10_000 : count != 0) {
            throw new IllegalArgumentException(type.counted() ? "the count must be between 1 and 10000, got " + count
                    : "a count applies only to seq-gap and replay");
        }
        if (everyBatches < 0 || everyBatches > 0 && !type.counted()) {
            throw new IllegalArgumentException("every-batches must be zero or more, for seq-gap and replay only, got "
                    + everyBatches);
        }
        if (expectAlert != null && !expectAlert.matches("[A-Za-z0-9._:-]+")) {
            throw new IllegalArgumentException("expect-alert must be an alert rule name (letters, digits, '.', '_', "
                    + "':', '-'), got '" + expectAlert + "'");
        }
    }

    /** An anomaly that is not counted per batch (neither seq-gap nor replay). */
    public Anomaly(Type type, String profile, int devices, String sensor, Duration at, Duration duration, double amount,
            Duration interval, String expectAlert) {
        this(type, profile, devices, sensor, at, duration, amount, interval, expectAlert, 0, 0);
    }

    /** Whether virtual time {@code t} (seconds since the fleet started) falls within this anomaly. */
    public boolean activeAt(double t) {
        double start = at.toNanos() / 1e9;
        return t >= start && t < start + duration.toNanos() / 1e9;
    }

    public double startSeconds() {
        return at.toNanos() / 1e9;
    }
}
