package io.tributary.processor;

import io.tributary.cli.DurationConverter;
import io.tributary.cli.KafkaOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.tributary.processor.config.ProcessorConfigFiles;
import io.tributary.common.Durations;
import io.tributary.processor.config.ProcessorConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Command line entry point: options (and TRIBUTARY_* environment variables) in, {@link Processor} running. */
@Command(name = "tributary-cloud-processor", mixinStandardHelpOptions = true, version = "tributary-cloud-processor 0.1",
        description = "Consumes telemetry from Kafka: stores every reading in InfluxDB (committing Kafka offsets "
                + "only after InfluxDB accepted the points), computes rollups and evaluates alert rules with Kafka "
                + "Streams (exactly-once) and stores those too.", sortOptions = false)
public final class ProcessorMain implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "YAML config file (see README); environment variables and options override it.")
    private Path configFile;

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (env TRIBUTARY_KAFKA_BOOTSTRAP; default: bootstrap.servers of "
                    + "--kafka-config, else localhost:9092).")
    private String kafkaBootstrap;

    @Mixin
    private KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--topic-prefix", paramLabel = "PREFIX",
            description = "Prefix of the Kafka topics (env TRIBUTARY_TOPIC_PREFIX; default: tributary.).")
    private String topicPrefix;

    @Option(names = "--group", paramLabel = "GROUP",
            description = "Kafka consumer group of the readings writer; the other writers and Streams derive "
                    + "theirs from it (env TRIBUTARY_PROCESSOR_GROUP; default: tributary-influx-writer).")
    private String group;

    @Option(names = "--influx-url", paramLabel = "URL",
            description = "InfluxDB URL serving the v2 write API: 1.8+, 2.x or 3.x (env TRIBUTARY_INFLUX_URL; "
                    + "default: http://localhost:8086).")
    private String influxUrl;

    @Option(names = "--influx-token", paramLabel = "TOKEN",
            description = "InfluxDB API token; for 1.8 with authentication 'user:password' (env "
                    + "TRIBUTARY_INFLUX_TOKEN; default: none).")
    private String influxToken;

    @Option(names = "--influx-org", paramLabel = "ORG",
            description = "InfluxDB organization (env TRIBUTARY_INFLUX_ORG; default: tributary).")
    private String influxOrg;

    @Option(names = "--influx-bucket", paramLabel = "BUCKET",
            description = "InfluxDB bucket; on 1.x the database (env TRIBUTARY_INFLUX_BUCKET; default: telemetry).")
    private String influxBucket;

    @Option(names = "--max-points-per-write", paramLabel = "N",
            description = "Most points in one InfluxDB write request (env TRIBUTARY_INFLUX_MAX_POINTS_PER_WRITE; "
                    + "default: 5000).")
    private String maxPointsPerWrite;

    @Option(names = "--retry-backoff-max", paramLabel = "DURATION",
            description = "Cap of the wait between retries of a failed write, e.g. 10s, 500ms, 2m or PT10S (env "
                    + "TRIBUTARY_INFLUX_RETRY_BACKOFF_MAX; default: 10s).")
    private String retryBackoffMax;

    @Option(names = "--rules", paramLabel = "FILE",
            description = "Alert rules YAML file, reloaded when it changes (env TRIBUTARY_ALERTS_RULES_FILE).")
    private String rulesFile;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Port of /metrics, /health/live, /health/ready; -1 = off (env TRIBUTARY_HTTP_PORT; "
                    + "default: 9464).")
    private String httpPort;

    // ---- the input contract, re-checked on every telemetry record (the gateway's option names)

    @Option(names = "--max-event-age", paramLabel = "DURATION",
            description = "Oldest event time accepted, before now (env TRIBUTARY_MAX_EVENT_AGE; default: 30d).")
    private String maxEventAge;

    @Option(names = "--max-event-future", paramLabel = "DURATION",
            description = "Latest event time accepted, after now; also bounds the rollup watermark (env "
                    + "TRIBUTARY_MAX_EVENT_FUTURE; default: 5m).")
    private String maxEventFuture;

    @Option(names = "--max-sensor-name-length", paramLabel = "N",
            description = "Longest sensor name (env TRIBUTARY_MAX_SENSOR_NAME_LENGTH; default: 128).")
    private String maxSensorNameLength;

    @Option(names = "--max-unit-length", paramLabel = "N",
            description = "Longest unit in UTF-8 bytes (env TRIBUTARY_MAX_UNIT_LENGTH; default: 32).")
    private String maxUnitLength;

    @Option(names = "--max-readings-per-batch", paramLabel = "N",
            description = "Most readings in one batch (env TRIBUTARY_MAX_READINGS_PER_BATCH; default: 10000).")
    private String maxReadingsPerBatch;

    @Option(names = "--max-sensors-per-device", paramLabel = "N",
            description = "Most distinct sensors of one device; also bounds a device's rollup window entry (env "
                    + "TRIBUTARY_MAX_SENSORS_PER_DEVICE; default: 256).")
    private String maxSensorsPerDevice;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any config key (e.g. rollups.grace=30s, streams.state-dir=/var/lib/tributary); "
                    + "repeatable.")
    private Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--print-config", description = "Print the effective configuration and exit.")
    private boolean printConfig;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with a short error answer (the message and a hint) instead of the full usage. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ProcessorMain());
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine command = ex.getCommandLine();
            command.getErr().println(command.getColorScheme().errorText(ex.getMessage()));
            command.getErr().println("Try '" + command.getCommandName() + " --help' for the options.");
            return command.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cli;
    }

    @Override
    public Integer call() throws InterruptedException {
        ProcessorConfig config;
        try {
            config = config(System.getenv());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ParameterException(spec.commandLine(), "Invalid configuration: " + e.getMessage(), e);
        }
        if (printConfig) {
            spec.commandLine().getOut().println(config);
            return 0;
        }
        Processor processor = new Processor(config);
        Runtime.getRuntime().addShutdownHook(new Thread(processor::close, "tributary-processor-shutdown"));
        try {
            processor.start();
        } catch (RuntimeException e) {
            // Cannot start (busy port, invalid rules file, Kafka client settings): one line, no stack trace.
            spec.commandLine().getErr().println("tributary-cloud-processor: cannot start: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        while (!processor.awaitTermination(Duration.ofDays(1))) {
            // keep waiting: the shutdown hook or a fatal error ends it
        }
        if (processor.failure().isPresent()) {
            spec.commandLine().getErr().println("tributary-cloud-processor: stopped on error: "
                    + processor.failure().get());
            return 1;
        }
        return 0;
    }

    /** The effective config: defaults, then the config file, then the environment, then the options. */
    ProcessorConfig config(Map<String, String> env) {
        String yaml = null;
        if (configFile != null) {
            try {
                yaml = Files.readString(configFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("config: cannot read " + configFile + ": " + e);
            }
        }
        Map<String, String> options = new LinkedHashMap<>(settings);
        putIfSet(options, "kafka.bootstrap", kafkaBootstrap);
        putIfSet(options, "kafka.config", kafka.file == null ? null : kafka.file.toString());
        kafka.properties.forEach((key, value) -> options.put(ProcessorConfigFiles.KAFKA_PROPERTY + key, value));
        putIfSet(options, "kafka.topic-prefix", topicPrefix);
        putIfSet(options, "kafka.group", group);
        putIfSet(options, "influx.url", influxUrl);
        putIfSet(options, "influx.token", influxToken);
        putIfSet(options, "influx.org", influxOrg);
        putIfSet(options, "influx.bucket", influxBucket);
        putIfSet(options, "influx.max-points-per-write", maxPointsPerWrite);
        putIfSet(options, "influx.retry-backoff-max", retryBackoffMax);
        putIfSet(options, "alerts.rules-file", rulesFile);
        putIfSet(options, "http.port", httpPort);
        putIfSet(options, "contract.max-event-age", maxEventAge);
        putIfSet(options, "contract.max-event-future", maxEventFuture);
        putIfSet(options, "contract.max-sensor-name-length", maxSensorNameLength);
        putIfSet(options, "contract.max-unit-length", maxUnitLength);
        putIfSet(options, "contract.max-readings-per-batch", maxReadingsPerBatch);
        putIfSet(options, "contract.max-sensors-per-device", maxSensorsPerDevice);
        return ProcessorConfigFiles.load(yaml, String.valueOf(configFile), env, options);
    }

    private static void putIfSet(Map<String, String> options, String key, String value) {
        if (value != null) {
            options.put(key, value);
        }
    }
}
