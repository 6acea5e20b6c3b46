package io.tributary.localstack;

import io.tributary.contract.Topics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tributary stack}: starts the {@link LocalStack}, creates the default topics, prints the connection settings
 * to stdout (one {@code KEY=value} per line, then {@code READY}) and runs until Ctrl-C or SIGTERM. Logs go to stderr.
 */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Runs Kafka (in this JVM, or --brokers N processes), influxd and the InfluxDB v2 write endpoint for development.")
public final class LocalStackMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStackMain.class);

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep data here across runs (default: a temp dir, removed at exit).")
    Path dataDir;

    @Option(names = "--no-influx", description = "Start Kafka only.")
    boolean noInflux;

    @Option(names = "--influx-bucket", paramLabel = "NAME",
            defaultValue = "${env:TRIBUTARY_INFLUX_BUCKET:-" + LocalStackOptions.DEFAULT_BUCKET + "}",
            description = "Database/bucket created at start (default: ${DEFAULT-VALUE}).")
    String influxBucket;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
            description = "Partitions of the default topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "${env:TRIBUTARY_TOPIC_PREFIX:-" + Topics.DEFAULT_PREFIX + "}",
            description = "Prefix of the default topics telemetry, deadletter, device-status (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--brokers", paramLabel = "N", defaultValue = "1",
            description = "Kafka brokers: 1 runs in this JVM; more run as processes of their own, topics replicated"
                    + " 3 with min.insync.replicas 2 from 3 brokers on (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--secure", description = "Kafka clients need TLS and SASL/SCRAM: one principal per role (gateway,"
            + " processor, operator) with ACLs; prints each role's client properties file (KAFKA_<ROLE>_CONFIG=).")
    boolean secure;

    /** The validated command line; {@code topics} are the ingest topics of {@code names}. */
    record Config(LocalStackOptions options, int partitions, List<String> topics, Topics names) {
        Config {
            if (partitions < 1) {
                throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
            }
            topics = List.copyOf(topics);
        }
    }

    Config config() {
        if (brokers < 1) {
            throw new IllegalArgumentException("--brokers must be >= 1, got " + brokers);
        }
        LocalStackOptions options;
        try {
            options = new LocalStackOptions(dataDir, true, !noInflux, influxBucket, brokers, secure);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--influx-bucket: " + e.getMessage(), e);
        }
        Topics topics;
        try {
            topics = new Topics(topicPrefix == null ? "" : topicPrefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--topic-prefix: " + e.getMessage(), e);
        }
        return new Config(options, partitions, topics.ingest(), topics);
    }

    @Override
    public Integer call() throws InterruptedException {
        Config config = config();
        LocalStack stack = LocalStack.start(config.options());
        // LocalStack's own shutdown hook stops everything on Ctrl-C / SIGTERM; this thread just waits for it.
        stack.createTopics(config.partitions(), config.topics().toArray(String[]::new));
        Map<String, Path> roleFiles = config.options().kafkaSecure()
                ? stack.secureKafka(config.names(), config.partitions()) : Map.of();
        PrintStream out = System.out;
        out.println("KAFKA_BOOTSTRAP=" + stack.kafkaBootstrapServers());
        roleFiles.forEach((role, file) -> out.println("KAFKA_" + role.toUpperCase(Locale.ROOT) + "_CONFIG=" + file));
        if (config.options().startInflux()) {
            out.println("INFLUX_URL=" + stack.influxUrl());
            out.println("INFLUX_DIRECT_URL=" + stack.influxDirectUrl());
            out.println("INFLUX_TOKEN=" + stack.influxToken());
            out.println("INFLUX_ORG=" + stack.influxOrg());
            out.println("INFLUX_BUCKET=" + stack.influxBucket());
        }
        out.println("READY");
        out.flush();
        LOG.info("Local stack running; Ctrl-C or SIGTERM stops it [topics: {}, partitions: {}]", config.topics(),
                config.partitions());
        new CountDownLatch(1).await();
        return 0;
    }

    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new LocalStackMain())
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    cmd.getErr().println("local stack failed: " + e.getMessage());
                    LOG.error("Local stack failed", e);
                    return 1;
                });
        int code = commandLine.execute(args);
        System.exit(code);
    }
}
