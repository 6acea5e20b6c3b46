package io.tributary.simulator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimulatorConfigTest {

    @Test
    void shouldBuildDeviceIdsFromTheRunId() {
        SimulatorConfig config = config("tcp://localhost:1883", 3, "ab12");

        assertThat(config.deviceId(0)).isEqualTo("sim-ab12-00001");
        assertThat(config.devicePrefix()).isEqualTo("sim-ab12-");
        assertThat(config.readingsPerBatch()).isEqualTo(6);
    }

    @Test
    void shouldRejectBadValuesNamingTheOption() {
        assertThatThrownBy(() -> config("http://localhost:1883", 3, "ab12")).hasMessageContaining("mqtt-uri");
        assertThatThrownBy(() -> config("tcp://localhost:1883", 0, "ab12")).hasMessageContaining("devices");
        assertThatThrownBy(() -> config("tcp://localhost:1883", 3, "Bad/Id")).hasMessageContaining("run-id");
        assertThatThrownBy(() -> new SimulatorConfig("tcp://localhost:1883", 3, "ab12", 3, Duration.ofSeconds(1), 2, 10,
                Duration.ofSeconds(30), 0)).hasMessageContaining("connect-rate");
    }

    private static SimulatorConfig config(String uri, int devices, String runId) {
        return new SimulatorConfig(uri, devices, runId, 3, Duration.ofSeconds(1), 2, 10, Duration.ofSeconds(30));
    }
}
