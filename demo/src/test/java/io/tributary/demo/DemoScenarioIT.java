package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.simulator.config.FleetOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The demo without fleet flags runs the bundled demo scenario: three device profiles and every kind of anomaly, and
 * within a minute each kind of alert rule in demo-rules.yaml (above, below, no data) fires for the devices the
 * scenario expects it for — verified in InfluxDB, with nothing lost.
 */
class DemoScenarioIT {

    @Test
    void everyKindOfAlertRuleFiresWithinAMinuteAndNothingIsLost() throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();

        int exitCode = new DemoRun(PipelineOptions.defaults(),
                CommandLine.populateCommand(new FleetOptions(), "--run-id", "demo-scenario-it"),
                Duration.ofSeconds(60), new PrintStream(output, true, StandardCharsets.UTF_8), false,
                StopSignal.manual()).run();

        List<String> lines = output.toString(StandardCharsets.UTF_8).lines().toList();
        String summary = lines.get(lines.size() - 1);
        assertThat(summary).startsWith("SUMMARY {").contains("\"scenario\":\"demo\"")
                .contains("\"lost_readings\":0", "\"missing_alerts\":[]");
        // 2 spiked rooms (temperature_high), 2 drifting rooms (humidity_low), 1 silent motor (device_silent)
        assertThat(summary).contains("\"expected_alerts\":5");
        // the malformed batches of one meter were refused, not stored
        assertThat(summary).doesNotContain("\"rejected_readings\":0,");
        assertThat(exitCode).as(String.join("\n", lines)).isZero();
    }
}
