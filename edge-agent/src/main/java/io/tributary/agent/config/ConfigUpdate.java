package io.tributary.agent.config;

import io.tributary.agent.sensor.SensorSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A configuration change pushed on {@code devices/{id}/config}: per sensor, on/off and the sampling interval.
 * <pre>
 * sensors:
 *   cpu_temp: {enabled: false}
 *   load1: {interval: 2s}
 * </pre>
 * (JSON works too: {@code {"sensors":{"load1":{"interval":"2s"}}}}.) Every named sensor must exist; intervals must be
 * at least 100 ms. Anything else is rejected as a whole and the running config stays.
 */
public final class ConfigUpdate {

    private static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    private static final Set<String> CHANGEABLE = Set.of("enabled", "interval");

    private ConfigUpdate() {
    }

    /**
     * Applies the pushed change to {@code current}.
     *
     * @return the new sensor specs, in the same order
     * @throws ConfigException naming the key when the change is invalid
     */
    public static List<SensorSpec> apply(String payload, List<SensorSpec> current) {
        Map<String, Object> root = YamlValues.parse(payload, "config").map();
        for (String k : root.keySet()) {
            if (!k.equals("sensors")) {
                throw new ConfigException(k, "unknown key (a pushed config may only change 'sensors')");
            }
        }
        Object raw = root.get("sensors");
        if (!(raw instanceof Map<?, ?> changes) || changes.isEmpty()) {
            throw new ConfigException("sensors", "must be a non-empty mapping of sensor name to changes");
        }
        Map<String, SensorSpec> byName = new LinkedHashMap<>();
        current.forEach(s -> byName.put(s.name(), s));
        for (Map.Entry<?, ?> e : changes.entrySet()) {
            String name = String.valueOf(e.getKey());
            String at = "sensors." + name;
            SensorSpec spec = byName.get(name);
            if (spec == null) {
                throw new ConfigException(at, "no such sensor on this device (known: " + byName.keySet() + ")");
            }
            YamlValues fields = new YamlValues(at + ".", YamlValues.mapping(e.getValue(), at,
                    "must be a mapping with 'enabled' and/or 'interval'"));
            fields.checkKeys(CHANGEABLE);
            spec = spec.withEnabled(fields.bool("enabled", spec.enabled()));
            if (fields.map().containsKey("interval")) {
                Duration d;
                try {
                    d = Values.positiveDuration(fields.map().get("interval"), at + ".interval");
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(at + ".interval", "'" + fields.map().get("interval")
                            + "' is not a positive duration");
                }
                if (d.compareTo(MIN_INTERVAL) < 0) {
                    throw new ConfigException(at + ".interval", "must be at least 100ms, got " + d);
                }
                spec = spec.withInterval(d);
            }
            byName.put(name, spec);
        }
        return new ArrayList<>(byName.values());
    }
}
