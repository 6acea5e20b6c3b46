package io.tributary.processor;

import java.time.Duration;
import java.util.concurrent.Callable;

import io.tributary.processor.config.ProcessorConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Command line entry point: options (and TRIBUTARY_* environment variables) in, {@link Processor} running. */
@Command(name = "tributary-cloud-processor", mixinStandardHelpOptions = true, version = "tributary-cloud-processor 0.1",
        description = "Consumes telemetry from Kafka and stores every reading in InfluxDB (committing Kafka offsets "
                + "only after InfluxDB accepted the points).", sortOptions = false)
public final class ProcessorMain implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:TRIBUTARY_KAFKA_BOOTSTRAP:-localhost:9092}",
            description = "Kafka bootstrap servers (env TRIBUTARY_KAFKA_BOOTSTRAP; default: ${DEFAULT-VALUE}).")
    private String kafkaBootstrap;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "${env:TRIBUTARY_TOPIC_PREFIX:-tributary.}",
            description = "Prefix of the Kafka topics (env TRIBUTARY_TOPIC_PREFIX; default: ${DEFAULT-VALUE}).")
    private String topicPrefix;

    @Option(names = "--group", paramLabel = "GROUP",
            defaultValue = "${env:TRIBUTARY_PROCESSOR_GROUP:-tributary-influx-writer}",
            description = "Kafka consumer group of the readings writer (env TRIBUTARY_PROCESSOR_GROUP; default: "
                    + "${DEFAULT-VALUE}).")
    private String group;

    @Option(names = "--influx-url", paramLabel = "URL", defaultValue = "${env:TRIBUTARY_INFLUX_URL:-http://localhost:8086}",
            description = "InfluxDB URL serving the v2 write API: 1.8+, 2.x or 3.x (env TRIBUTARY_INFLUX_URL; "
                    + "default: ${DEFAULT-VALUE}).")
    private String influxUrl;

    @Option(names = "--influx-token", paramLabel = "TOKEN", defaultValue = "${env:TRIBUTARY_INFLUX_TOKEN:-}",
            description = "InfluxDB API token; for 1.8 with authentication 'user:password' (env "
                    + "TRIBUTARY_INFLUX_TOKEN; default: none).")
    private String influxToken;

    @Option(names = "--influx-org", paramLabel = "ORG", defaultValue = "${env:TRIBUTARY_INFLUX_ORG:-tributary}",
            description = "InfluxDB organization (env TRIBUTARY_INFLUX_ORG; default: ${DEFAULT-VALUE}).")
    private String influxOrg;

    @Option(names = "--influx-bucket", paramLabel = "BUCKET", defaultValue = "${env:TRIBUTARY_INFLUX_BUCKET:-telemetry}",
            description = "InfluxDB bucket; on 1.x the database (env TRIBUTARY_INFLUX_BUCKET; default: "
                    + "${DEFAULT-VALUE}).")
    private String influxBucket;

    @Option(names = "--max-points-per-write", paramLabel = "N",
            defaultValue = "${env:TRIBUTARY_INFLUX_MAX_POINTS_PER_WRITE:-5000}",
            description = "Most points in one InfluxDB write request (env TRIBUTARY_INFLUX_MAX_POINTS_PER_WRITE; "
                    + "default: ${DEFAULT-VALUE}).")
    private int maxPointsPerWrite;

    @Option(names = "--retry-backoff-max", paramLabel = "DURATION",
            defaultValue = "${env:TRIBUTARY_INFLUX_RETRY_BACKOFF_MAX:-10s}", converter = DurationConverter.class,
            description = "Cap of the wait between retries of a failed write, e.g. 10s, 500ms, 2m or PT10S (env "
                    + "TRIBUTARY_INFLUX_RETRY_BACKOFF_MAX; default: ${DEFAULT-VALUE}).")
    private Duration retryBackoffMax;

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

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT10S}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            try {
                if (v.startsWith("pt") || v.startsWith("p")) {
                    return Duration.parse(value.trim());
                }
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                }
                long amount = Long.parseLong(v.substring(0, v.length() - 1));
                switch (v.charAt(v.length() - 1)) {
                    case 's':
                        return Duration.ofSeconds(amount);
                    case 'm':
                        return Duration.ofMinutes(amount);
                    case 'h':
                        return Duration.ofHours(amount);
                    default:
                        break;
                }
            } catch (RuntimeException e) {
                // fall through to the message below
            }
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration: use e.g. 500ms, 10s, 2m, 1h or PT10S");
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        ProcessorConfig config;
        try {
            ProcessorConfig base = new ProcessorConfig(kafkaBootstrap, topicPrefix, group, influxUrl, influxToken,
                    influxOrg, influxBucket, maxPointsPerWrite);
            config = base.withRetryBackoff(base.retryBackoffInitial(), retryBackoffMax);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ParameterException(spec.commandLine(), "Invalid option: " + e.getMessage(), e);
        }
        Processor processor = new Processor(config);
        Runtime.getRuntime().addShutdownHook(new Thread(processor::close, "tributary-processor-shutdown"));
        processor.start();
        while (!processor.awaitTermination(Duration.ofDays(1))) {
            // keep waiting: the shutdown hook or a fatal error ends it
        }
        if (processor.failure().isPresent()) {
            System.err.println("tributary-cloud-processor: stopped on error: " + processor.failure().get());
            return 1;
        }
        return 0;
    }
}
