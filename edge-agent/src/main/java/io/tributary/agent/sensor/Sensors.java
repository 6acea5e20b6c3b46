package io.tributary.agent.sensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

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

    public Sensors(Path root) {
        this.root = root;
    }

    /**
     * Builds the sensor.
     *
     * @throws IllegalArgumentException naming the parameter when the spec cannot work (message starts with the key)
     */
    public Sensor create(SensorSpec spec) {
        Reader reader = switch (spec.type()) {
            case "thermal" -> thermal(spec);
            case "hwmon" -> hwmon(spec);
            case "iio" -> iio(spec);
            case "ds18b20" -> ds18b20(spec);
            case "file" -> {
                Path p = path(spec, "path", null);
                yield () -> firstNumber(readText(p), p.toString());
            }
            case "cpu" -> new CpuPercent(root.resolve("proc/stat"))::read;
            case "load1" -> load(0);
            case "load5" -> load(1);
            case "load15" -> load(2);
            case "memory" -> this::memoryUsedPercent;
            case "disk" -> disk(spec);
            case "net-rx-bytes" -> net(spec, 0);
            case "net-tx-bytes" -> net(spec, 8);
            case "uptime" -> () -> firstNumber(readText(root.resolve("proc/uptime")), "/proc/uptime");
            case "command" -> command(spec);
            default -> throw new IllegalArgumentException("type: unknown sensor type '" + spec.type()
                    + "' (known: " + String.join(", ", new java.util.TreeSet<>(TYPES.keySet())) + ")");
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

    // ------------------------------------------------------------------------------------------------ kernel files

    private Reader thermal(SensorSpec spec) {
        Path file = spec.params().containsKey("path") ? path(spec, "path", null)
                : root.resolve("sys/class/thermal/thermal_zone" + integer(spec, "zone", 0) + "/temp");
        return () -> firstNumber(readText(file), file.toString()) / 1000.0;
    }

    private Reader hwmon(SensorSpec spec) {
        String input = string(spec, "input", null);
        if (!input.matches("[a-z]+[0-9]*_[a-z_]+")) {
            throw new IllegalArgumentException("input: '" + input + "' is not a hwmon attribute like temp1_input");
        }
        double divisor = input.startsWith("power") || input.startsWith("energy") ? 1_000_000.0
                : input.startsWith("temp") || input.startsWith("in") || input.startsWith("curr") ? 1000.0 : 1.0;
        Path base = root.resolve("sys/class/hwmon");
        String hwmon = string(spec, "hwmon", "");
        String chip = string(spec, "chip", "");
        if (hwmon.isEmpty() == chip.isEmpty()) {
            throw new IllegalArgumentException("chip: give exactly one of 'chip' (the hwmon name) or 'hwmon'");
        }
        return () -> {
            Path dir = hwmon.isEmpty() ? findByName(base, "hwmon", chip) : base.resolve(hwmon);
            Path file = dir.resolve(input);
            return firstNumber(readText(file), file.toString()) / divisor;
        };
    }

    private Reader iio(SensorSpec spec) {
        String channel = string(spec, "channel", null);
        if (!channel.matches("(in|out)_[a-z0-9_]+")) {
            throw new IllegalArgumentException("channel: '" + channel + "' is not an IIO channel like in_temp");
        }
        Path base = root.resolve("sys/bus/iio/devices");
        String device = string(spec, "device", "");
        String chip = string(spec, "chip", "");
        if (device.isEmpty() == chip.isEmpty()) {
            throw new IllegalArgumentException("device: give exactly one of 'device' (e.g. iio:device0) or 'chip'");
        }
        return () -> {
            Path dir = device.isEmpty() ? findByName(base, "iio:device", chip) : base.resolve(device);
            Path input = dir.resolve(channel + "_input");
            if (Files.exists(input)) {
                return firstNumber(readText(input), input.toString());
            }
            Path raw = dir.resolve(channel + "_raw");
            double value = firstNumber(readText(raw), raw.toString());
            Path offset = dir.resolve(channel + "_offset");
            Path scale = dir.resolve(channel + "_scale");
            if (Files.exists(offset)) {
                value += firstNumber(readText(offset), offset.toString());
            }
            if (Files.exists(scale)) {
                value *= firstNumber(readText(scale), scale.toString());
            }
            return value;
        };
    }

    private Reader ds18b20(SensorSpec spec) {
        String id = string(spec, "id", null);
        if (!id.matches("[0-9a-fA-F]{2}-[0-9a-fA-F]{12}")) {
            throw new IllegalArgumentException("id: '" + id + "' is not a 1-Wire id like 28-000005e2fdc3");
        }
        Path file = root.resolve("sys/bus/w1/devices").resolve(id).resolve("w1_slave");
        return () -> parseW1Slave(readText(file));
    }

    /** Parses a DS18B20 {@code w1_slave}: the first line must end in "YES" (CRC ok), the second holds t=millidegrees. */
    static double parseW1Slave(String text) throws SensorException {
        String[] lines = text.strip().split("\n");
        if (lines.length < 2 || !lines[0].contains("crc=")) {
            throw new SensorException("w1_slave is not a DS18B20 reading");
        }
        if (!lines[0].strip().endsWith("YES")) {
            throw new SensorException("w1_slave CRC check failed");
        }
        int t = lines[1].indexOf("t=");
        if (t < 0) {
            throw new SensorException("w1_slave has no t= value");
        }
        long milli;
        try {
            milli = Long.parseLong(lines[1].substring(t + 2).strip());
        } catch (NumberFormatException e) {
            throw new SensorException("w1_slave t= is not a number");
        }
        if (milli == 85_000) {
            throw new SensorException("w1_slave reports 85.0 degC, the power-on reset value (no conversion)");
        }
        return milli / 1000.0;
    }

    // ------------------------------------------------------------------------------------------------ host metrics

    private Reader load(int index) {
        Path file = root.resolve("proc/loadavg");
        return () -> {
            String[] parts = readText(file).strip().split("\\s+");
            if (parts.length < 3) {
                throw new SensorException("/proc/loadavg is malformed");
            }
            return parse(parts[index], "/proc/loadavg");
        };
    }

    double memoryUsedPercent() throws SensorException {
        long total = -1;
        long available = -1;
        for (String line : readText(root.resolve("proc/meminfo")).split("\n")) {
            String[] parts = line.strip().split("\\s+");
            if (parts.length >= 2 && parts[0].equals("MemTotal:")) {
                total = (long) parse(parts[1], "/proc/meminfo");
            } else if (parts.length >= 2 && parts[0].equals("MemAvailable:")) {
                available = (long) parse(parts[1], "/proc/meminfo");
            }
        }
        if (total <= 0 || available < 0) {
            throw new SensorException("/proc/meminfo lacks MemTotal or MemAvailable");
        }
        return Math.round((total - available) * 10_000.0 / total) / 100.0;
    }

    private Reader disk(SensorSpec spec) {
        Path mount = root.resolve(string(spec, "path", "/").replaceFirst("^/", ""));
        return () -> {
            try {
                FileStore store = Files.getFileStore(mount); // statvfs(3)
                long total = store.getTotalSpace();
                if (total <= 0) {
                    throw new SensorException("statvfs reports no space for " + mount);
                }
                long free = store.getUnallocatedSpace();
                return Math.round((total - free) * 10_000.0 / total) / 100.0;
            } catch (IOException e) {
                throw new SensorException("statvfs " + mount + " failed: " + e.getMessage());
            }
        };
    }

    private Reader net(SensorSpec spec, int column) {
        String iface = string(spec, "interface", null);
        Path file = root.resolve("proc/net/dev");
        return () -> {
            for (String line : readText(file).split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equals(iface)) {
                    String[] fields = line.substring(colon + 1).strip().split("\\s+");
                    if (fields.length > column) {
                        return parse(fields[column], "/proc/net/dev");
                    }
                }
            }
            throw new SensorException("interface " + iface + " not in /proc/net/dev");
        };
    }

    /** CPU busy % between two reads of /proc/stat; the first read compares with boot. */
    static final class CpuPercent {
        private final Path file;
        private long lastTotal;
        private long lastIdle;

        CpuPercent(Path file) {
            this.file = file;
        }

        synchronized double read() throws SensorException {
            String text = readText(file);
            String first = text.lines().filter(l -> l.startsWith("cpu ")).findFirst()
                    .orElseThrow(() -> new SensorException("/proc/stat has no cpu line"));
            String[] f = first.strip().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += (long) parse(f[i], "/proc/stat");
            }
            long idle = (long) parse(f[4], "/proc/stat") + (f.length > 5 ? (long) parse(f[5], "/proc/stat") : 0);
            long dTotal = total - lastTotal;
            long dIdle = idle - lastIdle;
            lastTotal = total;
            lastIdle = idle;
            if (dTotal <= 0) {
                return 0;
            }
            return Math.round((dTotal - dIdle) * 10_000.0 / dTotal) / 100.0;
        }
    }

    // ------------------------------------------------------------------------------------------------ command

    private Reader command(SensorSpec spec) {
        Object raw = spec.params().get("command");
        List<String> command = new ArrayList<>();
        if (raw instanceof List<?> list && !list.isEmpty()) {
            list.forEach(o -> command.add(String.valueOf(o)));
        } else if (raw instanceof String s && !s.isBlank()) {
            command.addAll(List.of("/bin/sh", "-c", s));
        } else {
            throw new IllegalArgumentException("command: required, a list (program, args...) or a shell string");
        }
        Duration timeout = spec.params().containsKey("timeout")
                ? io.tributary.agent.config.Values.duration(spec.params().get("timeout"), "timeout")
                : Duration.ofSeconds(5);
        return () -> runCommand(command, timeout);
    }

    static double runCommand(List<String> command, Duration timeout) throws SensorException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new SensorException("cannot run " + command.get(0) + ": " + e.getMessage());
        }
        try {
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new SensorException("command timed out after " + timeout.toMillis() + " ms");
            }
            byte[] out;
            try (InputStream in = process.getInputStream()) {
                out = in.readNBytes(4096);
            }
            if (process.exitValue() != 0) {
                throw new SensorException("command exited with " + process.exitValue());
            }
            return firstNumber(new String(out, StandardCharsets.UTF_8), "command output");
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SensorException("interrupted");
        } catch (IOException e) {
            throw new SensorException("reading the command output failed: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Path findByName(Path base, String prefix, String name) throws SensorException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, prefix + "*")) {
            for (Path dir : dirs) {
                Path nameFile = dir.resolve("name");
                if (Files.isReadable(nameFile) && readText(nameFile).strip().equals(name)) {
                    return dir;
                }
            }
        } catch (IOException e) {
            throw new SensorException("cannot list " + base + ": " + e.getMessage());
        }
        throw new SensorException("no " + prefix + " device named '" + name + "' under " + base);
    }

    static String readText(Path file) throws SensorException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new SensorException(file + " does not exist");
        } catch (IOException e) {
            throw new SensorException("cannot read " + file + ": " + e.getMessage());
        }
    }

    static double firstNumber(String text, String what) throws SensorException {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new SensorException(what + " is empty");
        }
        return parse(trimmed.split("\\s+")[0], what);
    }

    private static double parse(String token, String what) throws SensorException {
        try {
            double v = Double.parseDouble(token);
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new SensorException(what + ": '" + abbreviate(token) + "' is not a number");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private Path path(SensorSpec spec, String key, String fallback) {
        String p = string(spec, key, fallback);
        return p.startsWith("/") ? root.resolve(p.substring(1)) : root.resolve(p);
    }

    private static String string(SensorSpec spec, String key, String fallback) {
        Object v = spec.params().get(key);
        if (v == null) {
            if (fallback == null) {
                throw new IllegalArgumentException(key + ": required for a " + spec.type() + " sensor");
            }
            return fallback;
        }
        return String.valueOf(v);
    }

    private static int integer(SensorSpec spec, String key, int fallback) {
        Object v = spec.params().get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Integer i && i >= 0) {
            return i;
        }
        throw new IllegalArgumentException(key + ": must be a non-negative integer, got '" + v + "'");
    }

    @FunctionalInterface
    interface Reader {
        double read() throws SensorException;
    }

    private record Scaled(String name, String unit, double scale, double offset, Reader reader) implements Sensor {
        @Override
        public double read() throws SensorException {
            return reader.read() * scale + offset;
        }
    }
}
