package io.tributary.processor.alert;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import io.tributary.proto.v1.AlertEvent.Severity;

/** One alert rule from the rules file. Pure data, validated on construction. */
public sealed interface AlertRule {

    String name();

    Glob device();

    Severity severity();

    /** Labels the device must have, every pair (rules file {@code match}); empty = any device its glob matches. */
    Map<String, String> match();

    /** Whether the rule watches this device at all. */
    default boolean appliesToDevice(String deviceId) {
        return device().matches(deviceId);
    }

    /** Whether a device with these labels has every label of {@link #match()}. */
    default boolean matchesLabels(Map<String, String> labels) {
        for (Map.Entry<String, String> pair : match().entrySet()) {
            if (!pair.getValue().equals(labels.get(pair.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Which way a threshold is crossed. */
    enum Direction { ABOVE, BELOW }

    /**
     * Fires when a sensor's value stays beyond {@code threshold} for {@code forDuration} (event time), resolves when it
     * comes back past {@code clear} (hysteresis: for ABOVE, {@code clear <= threshold}; for BELOW,
     * {@code clear >= threshold}).
     *
     * <p>ABOVE: breach is {@code value > threshold}, resolved is {@code value <= clear}. BELOW: breach is
     * {@code value < threshold}, resolved is {@code value >= clear}.
     */
    record Threshold(String name, Glob device, Glob sensor, Direction direction, double threshold, double clear,
            Duration forDuration, Severity severity, Map<String, String> match) implements AlertRule {

        public Threshold {
            match = Map.copyOf(match);
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(sensor, "sensor");
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(forDuration, "for");
            Objects.requireNonNull(severity, "severity");
            if (!Double.isFinite(threshold) || !Double.isFinite(clear)) {
                throw new IllegalArgumentException("rule '" + name + "': thresholds must be finite numbers");
            }
            if (direction == Direction.ABOVE && clear > threshold) {
                throw new IllegalArgumentException("rule '" + name + "': clear (" + clear
                        + ") must not be above the 'above' threshold (" + threshold + ")");
            }
            if (direction == Direction.BELOW && clear < threshold) {
                throw new IllegalArgumentException("rule '" + name + "': clear (" + clear
                        + ") must not be below the 'below' threshold (" + threshold + ")");
            }
            if (forDuration.isNegative()) {
                throw new IllegalArgumentException("rule '" + name + "': for must not be negative");
            }
        }

        public boolean appliesTo(String deviceId, String sensorName) {
            return device.matches(deviceId) && sensor.matches(sensorName);
        }

        public boolean breached(double value) {
            return direction == Direction.ABOVE ? value > threshold : value < threshold;
        }

        public boolean cleared(double value) {
            return direction == Direction.ABOVE ? value <= clear : value >= clear;
        }
    }

    /** Fires when a device that was seen has sent nothing for {@code silence} (wall clock); resolves on its next data. */
    record NoData(String name, Glob device, Duration silence, Severity severity, Map<String, String> match)
            implements AlertRule {

        public NoData {
            match = Map.copyOf(match);
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(severity, "severity");
            if (silence == null || silence.isNegative() || silence.isZero()) {
                throw new IllegalArgumentException("rule '" + name + "': no-data-for must be a positive duration");
            }
        }
    }
}
