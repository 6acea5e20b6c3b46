package io.tributary.agent.sensor;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One configured sensor.
 *
 * @param name     unique on the device
 * @param type     e.g. {@code thermal}, {@code hwmon}, {@code iio}, {@code ds18b20}, {@code cpu}, {@code command}
 * @param unit     the unit of the value after scale and offset
 * @param interval how often it is sampled
 * @param scale    value = raw * scale + offset
 * @param offset   value = raw * scale + offset
 * @param enabled  a disabled sensor is not sampled (the config downlink can switch it)
 * @param params   type-specific settings (path, zone, chip, device, channel, id, interface, command, timeout)
 */
public record SensorSpec(String name, String type, String unit, Duration interval, double scale, double offset,
        boolean enabled, Map<String, Object> params) {

    public SensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        unit = unit == null ? "" : unit;
        params = Map.copyOf(params);
    }

    public SensorSpec withInterval(Duration newInterval) {
        return new SensorSpec(name, type, unit, newInterval, scale, offset, enabled, params);
    }

    public SensorSpec withEnabled(boolean on) {
        return new SensorSpec(name, type, unit, interval, scale, offset, on, params);
    }
}
