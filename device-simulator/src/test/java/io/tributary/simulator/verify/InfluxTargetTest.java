package io.tributary.simulator.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InfluxTargetTest {

    @Test
    void shouldNeverPrintTheToken() {
        InfluxTarget target = new InfluxTarget("http://influx:8086", "sup3r-t0ken", "org", "telemetry");
        assertThat(target.toString()).contains("token=***", "http://influx:8086", "telemetry")
                .doesNotContain("sup3r-t0ken");
        assertThat(new InfluxTarget("http://influx:8086", null, null, "b").toString()).contains("token=\"\"");
    }
}
