package io.tributary.agent.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every sensor type against a fake sysfs/proc tree. */
class SensorsTest {

    @TempDir
    Path root;

    private Sensor sensor(String type, Map<String, Object> params) {
        return new Sensors(root).create(new SensorSpec("s", type, "", Duration.ofSeconds(1), 1, 0, true, params));
    }

    @Test
    void shouldReadAThermalZoneInDegrees() throws Exception {
        write("sys/class/thermal/thermal_zone1/temp", "48312\n");
        assertThat(sensor("thermal", Map.of("zone", 1)).read()).isCloseTo(48.312, within(1e-9));
    }

    @Test
    void shouldFindAHwmonChipByName() throws Exception {
        write("sys/class/hwmon/hwmon0/name", "other\n");
        write("sys/class/hwmon/hwmon3/name", "cpu_thermal\n");
        write("sys/class/hwmon/hwmon3/temp1_input", "51000\n");
        write("sys/class/hwmon/hwmon3/in0_input", "3300\n");
        assertThat(sensor("hwmon", Map.of("chip", "cpu_thermal", "input", "temp1_input")).read()).isEqualTo(51.0);
        assertThat(sensor("hwmon", Map.of("hwmon", "hwmon3", "input", "in0_input")).read()).isEqualTo(3.3);
        assertThatThrownBy(() -> sensor("hwmon", Map.of("chip", "nope", "input", "temp1_input")).read())
                .isInstanceOf(SensorException.class).hasMessageContaining("no hwmon device named 'nope'");
    }

    @Test
    void shouldReadIioProcessedOrRawTimesScale() throws Exception {
        write("sys/bus/iio/devices/iio:device0/name", "bme280\n");
        write("sys/bus/iio/devices/iio:device0/in_pressure_input", "100.325\n");
        write("sys/bus/iio/devices/iio:device0/in_humidityrelative_raw", "1000\n");
        write("sys/bus/iio/devices/iio:device0/in_humidityrelative_offset", "24\n");
        write("sys/bus/iio/devices/iio:device0/in_humidityrelative_scale", "0.5\n");
        assertThat(sensor("iio", Map.of("chip", "bme280", "channel", "in_pressure")).read()).isEqualTo(100.325);
        assertThat(sensor("iio", Map.of("device", "iio:device0", "channel", "in_humidityrelative")).read())
                .isEqualTo(512.0);
    }

    @Test
    void shouldCheckTheDs18b20CrcLine() throws Exception {
        String id = "28-000005e2fdc3";
        write("sys/bus/w1/devices/" + id + "/w1_slave",
                "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n");
        assertThat(sensor("ds18b20", Map.of("id", id)).read()).isEqualTo(23.125);

        write("sys/bus/w1/devices/" + id + "/w1_slave",
                "72 01 4b 46 7f ff 0e 10 57 : crc=aa NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n");
        assertThatThrownBy(() -> sensor("ds18b20", Map.of("id", id)).read()).hasMessageContaining("CRC check failed");

        write("sys/bus/w1/devices/" + id + "/w1_slave",
                "50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n");
        assertThatThrownBy(() -> sensor("ds18b20", Map.of("id", id)).read()).hasMessageContaining("power-on reset");
        assertThatThrownBy(() -> sensor("ds18b20", Map.of("id", "bogus"))).hasMessageStartingWith("id:");
    }

    @Test
    void shouldReadHostMetricsFromProc() throws Exception {
        write("proc/loadavg", "0.42 0.30 0.25 1/123 4567\n");
        write("proc/meminfo", "MemTotal:        1000000 kB\nMemFree:          100000 kB\nMemAvailable:     250000 kB\n");
        write("proc/net/dev", "Inter-|   Receive |  Transmit\n face |bytes    packets\n"
                + "    lo: 100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n  eth0: 12345 10 0 0 0 0 0 0 67890 20 0 0 0 0 0 0\n");
        write("proc/stat", "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3 4\n");
        assertThat(sensor("load1", Map.of()).read()).isEqualTo(0.42);
        assertThat(sensor("load15", Map.of()).read()).isEqualTo(0.25);
        assertThat(sensor("memory", Map.of()).read()).isCloseTo(75.0, within(1e-9));
        assertThat(sensor("net-rx-bytes", Map.of("interface", "eth0")).read()).isEqualTo(12345);
        assertThat(sensor("net-tx-bytes", Map.of("interface", "eth0")).read()).isEqualTo(67890);
        assertThatThrownBy(() -> sensor("net-rx-bytes", Map.of("interface", "wlan0")).read())
                .hasMessageContaining("wlan0");

        Sensor cpu = sensor("cpu", Map.of());
        cpu.read();
        write("proc/stat", "cpu  150 0 150 900 0 0 0 0 0 0\n");
        assertThat(cpu.read()).as("100 busy of 200 jiffies").isEqualTo(50.0);
        assertThat(sensor("disk", Map.of("path", "/")).read()).isBetween(0.0, 100.0);
    }

    @Test
    void shouldApplyScaleAndOffset() throws Exception {
        write("proc/loadavg", "2 0 0 1/1 1\n");
        Sensor s = new Sensors(root).create(new SensorSpec("x", "load1", "", Duration.ofSeconds(1), 10, -5, true,
                Map.of()));
        assertThat(s.read()).isEqualTo(15.0);
    }

    @Test
    void shouldReportUnreadableValuesAsSensorExceptions() throws Exception {
        write("proc/loadavg", "not a number\n");
        assertThatThrownBy(() -> sensor("load1", Map.of()).read()).isInstanceOf(SensorException.class);
        assertThatThrownBy(() -> sensor("thermal", Map.of()).read()).hasMessageContaining("does not exist");
    }

    @Test
    void shouldRunACommandWithATimeout() throws Exception {
        assertThat(sensor("command", Map.of("command", List.of("echo", "21.5 degC"))).read()).isEqualTo(21.5);
        assertThat(sensor("command", Map.of("command", "echo 7")).read()).isEqualTo(7.0);
        long start = System.nanoTime();
        assertThatThrownBy(() -> sensor("command", Map.of("command", List.of("sleep", "10"), "timeout", "300ms"))
                .read()).hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(() -> sensor("command", Map.of("command", List.of("false"))).read())
                .hasMessageContaining("exited with 1");
        assertThatThrownBy(() -> sensor("command", Map.of("command", List.of("/no/such/program"))).read())
                .hasMessageContaining("cannot run");
    }

    private void write(String path, String content) throws Exception {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
