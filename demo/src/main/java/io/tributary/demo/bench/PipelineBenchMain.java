package io.tributary.demo.bench;

import io.tributary.cli.DurationConverter;
import io.tributary.demo.Cli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./tributary bench [--devices N] [--duration D] [--out DIR]}: the whole-pipeline benchmark. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Runs the whole pipeline on this machine, each component its own process (local stack with "
                + "Kafka and influxd, gateway, processor, simulator), at stepped load; finds the highest rate at which "
                + "the Kafka lag and the writer's backlog stop growing, holds it for --duration and verifies that "
                + "nothing was lost, then measures latency at half that rate. Writes DIR/bench.json, "
                + "DIR/throughput.png, DIR/latency.png and DIR/logs/. Exit status 0 when the rate was sustained "
                + "without loss.")
public final class PipelineBenchMain implements Callable<Integer> {

    @Option(names = "--devices", defaultValue = "1000",
            description = "Simulated devices, each on its own MQTT connection (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--duration", defaultValue = "10m", converter = DurationConverter.class,
            description = "The sustained phase at the highest sustainable rate (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--out", defaultValue = "target/pipeline-bench",
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--step-duration", defaultValue = "40s", converter = DurationConverter.class,
            description = "Length of each load step (default: ${DEFAULT-VALUE}).")
    Duration stepDuration;

    @Option(names = "--warmup", defaultValue = "10s", converter = DurationConverter.class,
            description = "Start of each phase (from the fleet's start) left out of its figures: connecting, JIT "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--rates", split = ",", paramLabel = "READINGS_PER_S",
            defaultValue = "20000,40000,60000,80000,100000,120000,140000,160000,180000,200000",
            description = "Offered readings/s of the steps, ascending (default: 20000,40000,...,200000).")
    List<Integer> rates;

    @Option(names = "--refine", defaultValue = "1",
            description = "Extra steps bisecting between the last sustainable and the first unsustainable rate "
                    + "(default: ${DEFAULT-VALUE}).")
    int refinements;

    @Option(names = "--half-duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "The latency phase at half the sustained rate (default: ${DEFAULT-VALUE}).")
    Duration halfDuration;

    @Option(names = "--partitions", defaultValue = "3",
            description = "Partitions of the telemetry topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--probe-interval", defaultValue = "100ms", converter = DurationConverter.class,
            description = "How often the latency probe publishes (default: ${DEFAULT-VALUE}).")
    Duration probeInterval;

    @Option(names = "--kafka-config", paramLabel = "FILE", defaultValue = "${env:TRIBUTARY_KAFKA_CONFIG}",
            description = "Run against the Kafka of this client properties file (bootstrap.servers, security.protocol,"
                    + " sasl.*, ssl.*) instead of the local stack's; every process gets it (env TRIBUTARY_KAFKA_CONFIG).")
    Path kafkaConfig;
    @Option(names = "--brokers", paramLabel = "N", defaultValue = "1",
            description = "Kafka brokers of the local stack, as ./tributary stack --brokers: more than one run as "
                    + "processes of their own, topics replicated 3 with min.insync.replicas 2 from 3 on "
                    + "(default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--secure", description = "Kafka as ./tributary stack --secure: TLS and SASL/SCRAM, ACLs; the "
            + "gateway, the processor and the simulators each use their role's client properties.")
    boolean secure;

    @Option(names = "--kill-broker-at", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Runs Kafka as (at least) 3 broker processes (replication factor 3, min.insync.replicas 2) "
                    + "and, this long into the half-rate phase's measured part, kills -9 the broker leading most "
                    + "telemetry partitions, restarting it 20 s later; reports the probe's PUBACK and "
                    + "publish-to-queryable latency (p99, max) in the 30 s after the kill (DIR/failover.json). The probe "
                    + "publishes as a device on a partition that broker led.")
    Duration killBrokerAt;

    @Option(names = "--label", paramLabel = "KEY=VALUE",
            description = "A label of every simulated device, set at provisioning (repeatable).")
    Map<String, String> labels;

    @Option(names = "--processor-set", paramLabel = "KEY=VALUE",
            description = "A processor config key, passed as its --set (e.g. enrichment.tags=site,kind; repeatable).")
    Map<String, String> processorSettings;

    @Option(names = "--root", defaultValue = ".", hidden = true,
            description = "The project directory holding the built jars.")
    Path root;

    public static void main(String[] args) {
        Cli.benchMain("bench", new PipelineBenchMain(), args, "logs/bench.log");
    }

    @Override
    public Integer call() throws Exception {
        BenchOptions options = Cli.valid(this, () -> new BenchOptions(root.toAbsolutePath().normalize(),
                out.toAbsolutePath().normalize(), devices, duration, stepDuration, warmup, rates, halfDuration,
                partitions, probeInterval, refinements, kafkaConfig,
                killBrokerAt == null ? brokers : Math.max(3, brokers), secure, labels, processorSettings));
        if (killBrokerAt != null && killBrokerAt.plus(BrokerFailover.WINDOW).compareTo(halfDuration.minus(warmup)) > 0) {
            throw Cli.usage(this, "--kill-broker-at plus the 30 s measured after the kill must fit in --half-duration"
                    + " minus --warmup");
        }
        return new PipelineBench(options, killBrokerAt, System.out).run();
    }
}
