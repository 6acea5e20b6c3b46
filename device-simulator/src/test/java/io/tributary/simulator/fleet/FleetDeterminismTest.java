package io.tributary.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.simulator.sensor.DeviceKind;
import io.tributary.simulator.sensor.SensorModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FleetDeterminismTest {

    private static List<Double> series(DeviceKind kind, long seed, int device) {
        List<Double> values = new ArrayList<>();
        for (SensorModel sensor : kind.sensors(3, Fleet.deviceRandom(seed, device))) {
            for (int k = 0; k < 500; k++) {
                values.add(sensor.sample(k * 7.5));
            }
        }
        return values;
    }

    @ParameterizedTest
    @EnumSource(DeviceKind.class)
    void shouldRepeatEveryValueForTheSameSeedAndDiffer(DeviceKind kind) {
        assertThat(series(kind, 42, 3)).isEqualTo(series(kind, 42, 3));
        assertThat(series(kind, 43, 3)).isNotEqualTo(series(kind, 42, 3));
        assertThat(series(kind, 42, 4)).isNotEqualTo(series(kind, 42, 3));
    }

    @ParameterizedTest
    @EnumSource(DeviceKind.class)
    void shouldStayInPlausibleRanges(DeviceKind kind) {
        List<SensorModel> sensors = kind.sensors(3, Fleet.deviceRandom(1, 0));
        for (SensorModel sensor : sensors) {
            for (int k = 0; k < 2_000; k++) {
                double v = sensor.sample(k * 43.0);
                switch (sensor.name()) {
                    case "temperature" -> assertThat(v).isBetween(-10.0, 40.0);
                    case "humidity" -> assertThat(v).isBetween(0.0, 100.0);
                    case "pressure" -> assertThat(v).isBetween(950.0, 1070.0);
                    case "vibration" -> assertThat(v).isBetween(0.0, 10.0);
                    case "current" -> assertThat(v).isBetween(0.0, 20.0);
                    case "motor_temp" -> assertThat(v).isBetween(20.0, 70.0);
                    case "battery_voltage" -> assertThat(v).isBetween(2.9, 4.3);
                    default -> assertThat(Double.isFinite(v)).isTrue();
                }
            }
        }
    }
}
