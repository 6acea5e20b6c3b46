package io.tributary.agent.sensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * Builds sensors from their specs. {@code root} is "/" in production and a fake sysfs/proc tree in tests. The types,
 * their parameters and units: edge-agent/README.md.
 */
public final class Sensors {

    /** A sensor type: the parameters it accepts and the reader it builds from a spec. */
    public record Type(Set<String> params, BiFunction<Sensors, SensorSpec, ValueReader> reader) {
    }

    /** Every type by name. */
    public static final Map<String, Type> TYPES = Map.ofEntries(
            Map.entry("thermal", new Type(Set.of("zone", "path"), (s, spec) -> s.hardware.thermal(spec))),
            Map.entry("hwmon", new Type(Set.of("chip", "hwmon", "input"), (s, spec) -> s.hardware.hwmon(spec))),
            Map.entry("iio", new Type(Set.of("device", "chip", "channel"), (s, spec) -> s.hardware.iio(spec))),
            Map.entry("ds18b20", new Type(Set.of("id"), (s, spec) -> s.hardware.ds18b20(spec))),
            Map.entry("file", new Type(Set.of("path"), (s, spec) -> s.hardware.file(spec))),
            Map.entry("cpu", new Type(Set.of(), (s, spec) -> s.host.cpu())),
            Map.entry("load1", new Type(Set.of(), (s, spec) -> s.host.load(0))),
            Map.entry("load5", new Type(Set.of(), (s, spec) -> s.host.load(1))),
            Map.entry("load15", new Type(Set.of(), (s, spec) -> s.host.load(2))),
            Map.entry("memory", new Type(Set.of(), (s, spec) -> s.host.memory())),
            Map.entry("disk", new Type(Set.of("path"), (s, spec) -> s.host.disk(spec))),
            Map.entry("net-rx-bytes", new Type(Set.of("interface"), (s, spec) -> s.host.net(spec, 0))),
            Map.entry("net-tx-bytes", new Type(Set.of("interface"), (s, spec) -> s.host.net(spec, 8))),
            Map.entry("uptime", new Type(Set.of(), (s, spec) -> s.host.uptime())),
            Map.entry("command", new Type(Set.of("command", "timeout"), (s, spec) -> CommandSensor.of(spec))));

    private final HardwareSensors hardware;
    private final HostMetrics host;

    public Sensors(Path root) {
        this.hardware = new HardwareSensors(root);
        this.host = new HostMetrics(root);
    }

    /**
     * Builds the sensor.
     *
     * @throws IllegalArgumentException naming the parameter when the spec cannot work (message starts with the key)
     */
    public Sensor create(SensorSpec spec) {
        Type type = TYPES.get(spec.type());
        if (type == null) {
            throw new IllegalArgumentException("type: unknown sensor type '" + spec.type()
                    + "' (known: " + String.join(", ", new TreeSet<>(TYPES.keySet())) + ")");
        }
        return new Scaled(spec.name(), spec.unit(), spec.scale(), spec.offset(), type.reader().apply(this, spec));
    }

    /** Sensors every Linux host has, for running without a config file. */
    public static List<SensorSpec> hostDefaults(Path root, Duration interval) {
        List<SensorSpec> specs = new ArrayList<>();
        specs.add(new SensorSpec("cpu", "cpu", "%", interval, 1, 0, true, Map.of()));
        specs.add(new SensorSpec("load1", "load1", "", interval, 1, 0, true, Map.of()));
        specs.add(new SensorSpec("memory_used", "memory", "%", interval, 1, 0, true, Map.of()));
        specs.add(new SensorSpec("disk_used", "disk", "%", interval, 1, 0, true, Map.of("path", "/")));
        if (Files.isReadable(root.resolve("sys/class/thermal/thermal_zone0/temp"))) {
            specs.add(new SensorSpec("cpu_temp", "thermal", "degC", interval, 1, 0, true, Map.of("zone", 0)));
        }
        return specs;
    }

    private record Scaled(String name, String unit, double scale, double offset, ValueReader reader) implements Sensor {
        @Override
        public double read() throws SensorException {
            return reader.read() * scale + offset;
        }
    }
}
