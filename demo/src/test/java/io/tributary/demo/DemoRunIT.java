package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contract.Topics;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.simulator.config.FleetOptions;
import io.tributary.simulator.verify.InfluxTarget;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ./tributary demo} as a user runs it, storing into an InfluxDB the demo did not start. */
class DemoRunIT {

    private static final Pattern NUMBER_FIELD = Pattern.compile("\"([a-z_]+)\":(-?\\d+)");

    @Test
    void shouldEndWithASummaryShowingEveryPublishedReadingStoredInAnExternalInflux() throws Exception {
        // Given an InfluxDB that is not the demo's own (an influx-only local stack, reached through its v2 endpoint)
        try (LocalStack externalInflux = LocalStack.start(LocalStackOptions.defaults().withoutKafka())) {
            InfluxTarget target = new InfluxTarget(externalInflux.influxUrl(), "any-token", "any-org",
                    externalInflux.influxBucket());
            ByteArrayOutputStream output = new ByteArrayOutputStream();

            // When the demo runs 10 devices for 5 seconds against it
            int exitCode = new DemoRun(new PipelineOptions(target, null, 3, Topics.DEFAULT_PREFIX, null,
                    PipelineOptions.DEMO_ROLLUP_GRACE, null),
                    CommandLine.populateCommand(new FleetOptions(), "--devices", "10", "--sensors", "2",
                            "--interval", "500ms", "--readings-per-sensor", "3", "--run-id", "demo-it"),
                    Duration.ofSeconds(5), new PrintStream(output, true, StandardCharsets.UTF_8), false,
                    StopSignal.manual()).run();

            // Then its last line is the summary, and nothing published is missing
            List<String> lines = output.toString(StandardCharsets.UTF_8).lines().toList();
            String last = lines.get(lines.size() - 1);
            assertThat(last).startsWith("SUMMARY {");
            assertThat(field(last, "lost_readings")).isZero();
            assertThat(field(last, "published_readings")).isGreaterThan(0)
                    .isEqualTo(field(last, "stored_readings"));
            assertThat(last).contains("\"influx_url\":\"" + externalInflux.influxUrl() + "\"");
            assertThat(exitCode).isZero();
            assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("[").contains("devices 10/10"));
        }
    }

    private static long field(String summary, String name) {
        Matcher matcher = NUMBER_FIELD.matcher(summary);
        while (matcher.find()) {
            if (matcher.group(1).equals(name)) {
                return Long.parseLong(matcher.group(2));
            }
        }
        throw new AssertionError("no numeric field " + name + " in " + summary);
    }
}
