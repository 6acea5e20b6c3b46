package io.tributary.agent.sensor;

import static io.tributary.agent.sensor.KernelText.findByName;
import static io.tributary.agent.sensor.KernelText.firstNumberIn;
import static io.tributary.agent.sensor.KernelText.readText;
import static io.tributary.agent.sensor.SensorParams.integer;
import static io.tributary.agent.sensor.SensorParams.path;
import static io.tributary.agent.sensor.SensorParams.string;

import java.nio.file.Files;
import java.nio.file.Path;

/** Sensors the kernel's drivers expose under /sys (thermal zones, hwmon, IIO, 1-Wire DS18B20), and plain files. */
record HardwareSensors(Path root) {

    /** {@code zone} (default 0) or {@code path}; millidegrees → degC. */
    ValueReader thermal(SensorSpec spec) {
        Path file = spec.params().containsKey("path") ? path(root, spec, "path")
                : root.resolve("sys/class/thermal/thermal_zone" + integer(spec, "zone", 0) + "/temp");
        return () -> firstNumberIn(file) / 1000.0;
    }

    /** {@code chip} (the hwmon name) or {@code hwmon}, and {@code input}; temp/in/curr milli-units, power micro-units. */
    ValueReader hwmon(SensorSpec spec) {
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
            return firstNumberIn(dir.resolve(input)) / divisor;
        };
    }

    /** {@code device} or {@code chip}, and {@code channel}: {@code CHANNEL_input}, else (raw + offset) × scale. */
    ValueReader iio(SensorSpec spec) {
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
                return firstNumberIn(input);
            }
            double value = firstNumberIn(dir.resolve(channel + "_raw"));
            Path offset = dir.resolve(channel + "_offset");
            Path scale = dir.resolve(channel + "_scale");
            if (Files.exists(offset)) {
                value += firstNumberIn(offset);
            }
            if (Files.exists(scale)) {
                value *= firstNumberIn(scale);
            }
            return value;
        };
    }

    /** {@code path}: the first number in the file. */
    ValueReader file(SensorSpec spec) {
        Path file = path(root, spec, "path");
        return () -> firstNumberIn(file);
    }

    /** {@code id} (e.g. {@code 28-000005e2fdc3}). */
    ValueReader ds18b20(SensorSpec spec) {
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
}
