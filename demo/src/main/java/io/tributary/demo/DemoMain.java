package io.tributary.demo;

import io.tributary.simulator.config.Durations;
import io.tributary.simulator.verify.InfluxTarget;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./tributary demo}: the whole pipeline with a simulated fleet, a live status line and a final SUMMARY. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole pipeline on this machine: Kafka and InfluxDB (local stack), the gateway, the",
                "processor and a simulated fleet. Stops after --duration or on Ctrl-C, drains, verifies storage and",
                "prints SUMMARY {json} as its last line. Logs go to logs/demo.log."})
public final class DemoMain implements Callable<Integer> {

    @Option(names = "--devices", defaultValue = "20", description = "Simulated devices (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--duration", converter = Durations.Converter.class,
            description = "How long to publish, e.g. 60s or 5m; without it, until Ctrl-C.")
    Duration duration;

    @Option(names = "--sensors", defaultValue = "3", description = "Sensors per device (default: ${DEFAULT-VALUE}).")
    int sensors;

    @Option(names = "--interval", defaultValue = "1s", converter = Durations.Converter.class,
            description = "Batch interval of each device (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--readings-per-sensor", defaultValue = "5",
            description = "Readings of each sensor per batch (default: ${DEFAULT-VALUE}).")
    int readingsPerSensor;

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

    @Option(names = "--partitions", defaultValue = "3", description = "Telemetry topic partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--run-id", description = "Device ids are sim-RUNID-00001...; default: random.")
    String runId;

    public static void main(String[] args) {
        // Before the first logger exists: the demo logs to a file so the terminal shows the status line only.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "demo-logback.xml");
        }
        CommandLine commandLine = new CommandLine(new DemoMain());
        System.exit(commandLine.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PipelineOptions options = PipelineOptions.defaults().withDataDir(dataDir);
        options = new PipelineOptions(options.externalInflux(), options.dataDir(), partitions, options.topicPrefix());
        if (influxUrl != null) {
            options = options.withExternalInflux(new InfluxTarget(influxUrl, influxToken, influxOrg, influxBucket));
        }
        DemoRun.Settings settings = new DemoRun.Settings(devices, sensors, interval, readingsPerSensor, duration, runId);
        PrintStream out = System.out;
        return new DemoRun(options, settings, out, System.console() != null).run();
    }
}
