package io.tributary.simulator.scenario;

import io.tributary.contract.metadata.DeviceLabels;
import io.tributary.simulator.sensor.DeviceKind;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A group of alike devices in a scenario.
 *
 * @param name           unique in the scenario; anomalies select devices by it
 * @param kind           which sensors the devices carry and how their values behave
 * @param devices        how many devices of this profile
 * @param sensors        sensors per device (only for {@link DeviceKind#GENERIC}; the other kinds have a fixed set)
 * @param sampleInterval how often each sensor is sampled
 * @param batchSize      samples of each sensor per batch: a device publishes every {@code sampleInterval × batchSize}
 * @param labels         written for each device of the profile to the device metadata topic at provisioning
 *                       ({@link DeviceLabels} rules); may be empty
 */
public record Profile(String name, DeviceKind kind, int devices, int sensors, Duration sampleInterval, int batchSize,
        Map<String, String> labels) {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    public Profile {
        Objects.requireNonNull(kind, "kind");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1-32 letters, digits, '_' or '-', got '" + name + "'");
        }
        Scenario.requireRange("devices", devices, 1, 100_000);
        Scenario.requireRange("sensors", sensors, 1, 64);
        if (sampleInterval == null || sampleInterval.toMillis() < 1) {
            throw new IllegalArgumentException("sample-interval must be at least 1ms, got " + sampleInterval);
        }
        Scenario.requireRange("batch-size", batchSize, 1, 10_000);
        labels = DeviceLabels.checked(labels);
    }

    /** How often a device of this profile publishes. */
    public Duration batchInterval() {
        return sampleInterval.multipliedBy(batchSize);
    }

    public int sensorCount() {
        return kind.sensorCount(sensors);
    }

    public int readingsPerBatch() {
        return sensorCount() * batchSize;
    }
}
