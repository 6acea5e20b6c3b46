package io.tributary.agent.sensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds sensors from their specs. {@code root} is "/" in production and a fake sysfs/proc tree in tests.
 *
 * <p>Types and their parameters:
 * <ul>
 *   <li>{@code thermal}: {@code zone} (number, default 0) or {@code path}; millidegrees → degC</li>
 *   <li>{@code hwmon}: {@code chip} (the hwmon {@code name}, e.g. {@code cpu_thermal}) or {@code hwmon} (e.g.
 *       {@code hwmon0}), and {@code input} (e.g. {@code temp1_input}); temp/in/curr are milli-units, power micro-units</li>
 *   <li>{@code iio}: {@code device} (e.g. {@code iio:device0}) or {@code chip} (its {@code name}, e.g. {@code bme280}),
 *       and {@code channel} (e.g. {@code in_pressure}, {@code in_temp}); reads {@code CHANNEL_input}, else
 *       {@code (CHANNEL_raw + CHANNEL_offset) * CHANNEL_scale}; values in the kernel's IIO units</li>
 *   <li>{@code ds18b20}: {@code id} (e.g. {@code 28-000005e2fdc3}); the w1_slave CRC line must say YES</li>
 *   <li>{@code file}: {@code path}; the first number in the file</li>
 *   <li>{@code cpu} (% busy since the previous sample), {@code load1}, {@code load5}, {@code load15},
 *       {@code memory} (% used), {@code disk} ({@code path}, default "/": % used, via statvfs),
 *       {@code net-rx-bytes}/{@code net-tx-bytes} ({@code interface}), {@code uptime}</li>
 *   <li>{@code command}: {@code command} (a list: program and arguments), {@code timeout} (default 5s); the first
 *       number the command prints</li>
 * </ul>
 */
public final class Sensors {

    /** Every type and the parameters it accepts. */
    public static final Map<String, Set<String>> TYPES = Map.ofEntries(
            Map.entry("thermal", Set.of("zone", "path")),
            Map.entry("hwmon", Set.of("chip", "hwmon", "input")),
            Map.entry("iio", Set.of("device", "chip", "channel")),
            Map.entry("ds18b20", Set.of("id")),
            Map.entry("file", Set.of("path")),
            Map.entry("cpu", Set.of()),
            Map.entry("load1", Set.of()),
            Map.entry("load5", Set.of()),
            Map.entry("load15", Set.of()),
            Map.entry("memory", Set.of()),
            Map.entry("disk", Set.of("path")),
            Map.entry("net-rx-bytes", Set.of("interface")),
            Map.entry("net-tx-bytes", Set.of("interface")),
            Map.entry("uptime", Set.of()),
            Map.entry("command", Set.of("command", "timeout")));

    private final Path root;
    private final HardwareSensors hardware;
    private final HostMetrics host;

    public Sensors(Path root) {
        this.root = root;
        this.hardware = new HardwareSensors(root);
        this.host = new HostMetrics(root);
    }

    /**
     * Builds the sensor.
     *
     * @throws IllegalArgumentException naming the parameter when the spec cannot work (message starts with the key)
     */
    public Sensor create(SensorSpec spec) {
        ValueReader reader = switch (spec.type()) {
            case "thermal" -> hardware.thermal(spec);
            case "hwmon" -> hardware.hwmon(spec);
            case "iio" -> hardware.iio(spec);
            case "ds18b20" -> hardware.ds18b20(spec);
            case "file" -> {
                Path p = SensorParams.path(root, spec, "path");
                yield () -> KernelText.firstNumberIn(p);
            }
            case "cpu" -> host.cpu();
            case "load1" -> host.load(0);
            case "load5" -> host.load(1);
            case "load15" -> host.load(2);
            case "memory" -> host.memory();
            case "disk" -> host.disk(spec);
            case "net-rx-bytes" -> host.net(spec, 0);
            case "net-tx-bytes" -> host.net(spec, 8);
            case "uptime" -> host.uptime();
            case "command" -> CommandSensor.of(spec);
            default -> throw new IllegalArgumentException("type: unknown sensor type '" + spec.type()
                    + "' (known: " + String.join(", ", new TreeSet<>(TYPES.keySet())) + ")");
        };
        return new Scaled(spec.name(), spec.unit(), spec.scale(), spec.offset(), reader);
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
