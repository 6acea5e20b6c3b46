package io.tributary.agent.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxHostSensorsTest {

    @TempDir
    Path root;

    @Test
    void shouldReadLoadMemoryAndTemperatureFromTheKernelFiles() throws Exception {
        write("proc/loadavg", "0.42 0.30 0.25 1/123 4567\n");
        write("proc/meminfo", "MemTotal:        1000000 kB\nMemFree:          100000 kB\nMemAvailable:     250000 kB\n");
        write("sys/class/thermal/thermal_zone0/temp", "48312\n");

        List<Sensor> sensors = LinuxHostSensors.discover(root);

        assertThat(sensors).extracting(Sensor::name).containsExactly("load1", "memory_used", "cpu_temp");
        assertThat(sensors.get(0).read().getAsDouble()).isEqualTo(0.42);
        assertThat(sensors.get(1).read().getAsDouble()).isCloseTo(75.0, within(0.001));
        assertThat(sensors.get(2).read().getAsDouble()).isCloseTo(48.312, within(0.0001));
    }

    @Test
    void shouldReportAnUnreadableValueAsEmptyInsteadOfFailing() throws Exception {
        write("proc/loadavg", "not a number\n");
        List<Sensor> sensors = LinuxHostSensors.discover(root);

        assertThat(sensors.get(0).read()).isEqualTo(OptionalDouble.empty());
    }

    @Test
    void shouldOfferNoSensorWhoseFileIsMissing() {
        assertThat(LinuxHostSensors.discover(root)).isEmpty();
    }

    private void write(String path, String content) throws Exception {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
