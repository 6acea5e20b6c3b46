package io.tributary.demo;

import io.tributary.cli.DurationConverter;
import io.tributary.common.KafkaClientConfig;
import io.tributary.contract.Topics;
import io.tributary.simulator.config.FleetOptions;
import io.tributary.simulator.verify.InfluxTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./tributary demo}: the whole pipeline with a simulated fleet, a live status line and a final SUMMARY. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the whole pipeline on this machine: Kafka and InfluxDB (local stack), the gateway, the "
                + "processor and a simulated fleet: the bundled demo scenario unless --scenario or the fleet flags "
                + "(--devices, --sensors, --interval, --readings-per-sensor, --connect-rate) say otherwise. Stops "
                + "after --duration or on Ctrl-C, drains, verifies storage and the scenario's alerts and prints "
                + "SUMMARY {json} as its last line. Logs go to logs/demo.log.")
public final class DemoMain implements Callable<Integer> {

    @Mixin
    FleetOptions fleet;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "How long to publish, e.g. 60s or 5m; without it, until Ctrl-C.")
    Duration duration;

    @Option(names = "--influx-url", description = "Store into this InfluxDB (v2 write API: 1.8+, 2.x, 3.x) "
            + "instead of starting influxd.")
    String influxUrl;

    @Option(names = "--influx-token", defaultValue = "", description = "Token for --influx-url (2.x/3.x).")
    String influxToken;

    @Option(names = "--influx-org", defaultValue = "tributary", description = "Org for --influx-url (default: ${DEFAULT-VALUE}).")
    String influxOrg;

    @Option(names = "--influx-bucket", defaultValue = "telemetry",
            description = "Bucket (1.x: database) for --influx-url (default: ${DEFAULT-VALUE}).")
    String influxBucket;

    @Option(names = "--data-dir", description = "Keep the local stack's data here instead of a temporary directory.")
    Path dataDir;

    @Option(names = "--alert-rules", description = "The processor's alert rules (YAML); default: the demo's own, "
            + "see demo/src/main/resources/demo-rules.yaml. Edit the file while the demo runs: it is re-read.")
    Path alertRules;

    @Option(names = "--partitions", defaultValue = "3", description = "Telemetry topic partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--kafka-config", paramLabel = "FILE", defaultValue = "${env:TRIBUTARY_KAFKA_CONFIG}",
            description = "Run against the Kafka of this client properties file (bootstrap.servers, security.protocol,"
                    + " sasl.*, ssl.*; TRIBUTARY_KAFKA_* override it) instead of starting one; it must hold the topics,"
                    + " as `./tributary stack` creates them (env TRIBUTARY_KAFKA_CONFIG).")
    Path kafkaConfig;

    public static void main(String[] args) {
        // Before the first logger exists: the demo logs to a file so the terminal shows the status line only.
        Cli.logWith("demo-logback.xml");
        int exitCode = Cli.FAILED;
        try {
            exitCode = Cli.execute("demo", new DemoMain(), args);
        } catch (Throwable t) {
            // picocli rethrows Errors (a broken classpath, out of memory): report and still exit, because the
            // in-JVM Kafka's threads would otherwise keep the JVM alive forever.
            System.err.println("demo: failed: " + t);
        } finally {
            System.exit(exitCode);
        }
    }

    @Override
    public Integer call() throws Exception {
        // a bad scenario or flag fails before start-up
        Cli.valid(this, () -> fleet.plan("tcp://localhost:1883", DemoRun.DEFAULT_SCENARIO));
        InfluxTarget influx = influxUrl == null ? null
                : new InfluxTarget(influxUrl, influxToken, influxOrg, influxBucket);
        KafkaClientConfig kafka = kafkaConfig == null ? null
                : Cli.valid(this, () -> KafkaClientConfig.resolve(kafkaConfig, System.getenv(), Map.of(), null));
        PipelineOptions options;
        try {
            options = new PipelineOptions(influx, dataDir, partitions, Topics.DEFAULT_PREFIX, alertRules,
                    PipelineOptions.DEMO_ROLLUP_GRACE, kafka);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(this, "--partitions: " + e.getMessage());
        }
        return new DemoRun(options, fleet, duration, System.out, System.console() != null,
                StopSignal.install()).run();
    }
}
