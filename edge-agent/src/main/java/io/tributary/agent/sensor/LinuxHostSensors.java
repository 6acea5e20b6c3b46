package io.tributary.agent.sensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Host metrics that every Linux device exposes under /proc and /sys: load average, memory in use and, where the
 * kernel has a thermal zone (a Raspberry Pi does), the SoC temperature.
 */
public final class LinuxHostSensors {

    private LinuxHostSensors() {
    }

    /** The sensors available on this host; {@code root} is "/" in production and a fixture directory in tests. */
    public static List<Sensor> discover(Path root) {
        List<Sensor> sensors = new ArrayList<>();
        Path loadavg = root.resolve("proc/loadavg");
        Path meminfo = root.resolve("proc/meminfo");
        Path thermal = root.resolve("sys/class/thermal/thermal_zone0/temp");
        if (Files.isReadable(loadavg)) {
            sensors.add(new FileSensor("load1", "", loadavg, LinuxHostSensors::parseLoad1));
        }
        if (Files.isReadable(meminfo)) {
            sensors.add(new FileSensor("memory_used", "%", meminfo, LinuxHostSensors::parseMemoryUsedPercent));
        }
        if (Files.isReadable(thermal)) {
            sensors.add(new FileSensor("cpu_temp", "degC", thermal, text -> Double.parseDouble(text.trim()) / 1000.0));
        }
        return sensors;
    }

    static double parseLoad1(String loadavg) {
        return Double.parseDouble(loadavg.trim().split("\\s+")[0]);
    }

    static double parseMemoryUsedPercent(String meminfo) {
        long total = -1;
        long available = -1;
        for (String line : meminfo.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 2 && parts[0].equals("MemTotal:")) {
                total = Long.parseLong(parts[1]);
            } else if (parts.length >= 2 && parts[0].equals("MemAvailable:")) {
                available = Long.parseLong(parts[1]);
            }
        }
        if (total <= 0 || available < 0) {
            throw new IllegalArgumentException("meminfo lacks MemTotal or MemAvailable");
        }
        return Math.round((total - available) * 10_000.0 / total) / 100.0;
    }

    /** Reads a whole file and parses it; any failure is an empty reading. */
    private record FileSensor(String name, String unit, Path file, Parser parser) implements Sensor {
        @Override
        public OptionalDouble read() {
            try {
                return OptionalDouble.of(parser.parse(Files.readString(file, StandardCharsets.US_ASCII)));
            } catch (IOException | RuntimeException e) {
                return OptionalDouble.empty();
            }
        }
    }

    @FunctionalInterface
    private interface Parser {
        double parse(String text);
    }
}
