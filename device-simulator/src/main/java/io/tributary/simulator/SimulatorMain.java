package io.tributary.simulator;

import io.tributary.cli.DurationConverter;
import io.tributary.cli.KafkaOptions;
import io.tributary.common.Json;
import io.tributary.common.KafkaClientConfig;
import io.tributary.contract.Topics;
import io.tributary.simulator.config.FleetOptions;
import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.fleet.FleetPlan;
import io.tributary.simulator.ledger.LedgerFile;
import io.tributary.simulator.ledger.LossLedger;
import io.tributary.simulator.progress.ProgressDisplay;
import io.tributary.simulator.provision.FleetProvisioner;
import io.tributary.simulator.report.LatencyHistogram;
import io.tributary.simulator.scenario.Anomaly;
import io.tributary.simulator.verify.InfluxTarget;
import io.tributary.simulator.verify.InfluxVerifier;
import io.tributary.simulator.verify.VerificationReport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./tributary simulator}: runs a fleet against a gateway, keeps its ledger, optionally verifies storage. */
@Command(name = "simulator", mixinStandardHelpOptions = true, subcommands = VerifyCommand.class,
        description = {"Runs a fleet of simulated devices that publish protobuf batches over MQTT (QoS 1).",
            "The fleet comes from a scenario (--scenario) or from the flags (one profile of generic devices).",
            "Ends with a line 'SUMMARY {json}'. Exit code 1 if --influx-url verification found loss."})
public final class SimulatorMain implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatorMain.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--mqtt-uri", defaultValue = "${env:TRIBUTARY_MQTT_URI:-tcp://localhost:1883}",
            description = "Gateway to publish to (default: ${DEFAULT-VALUE}).")
    String mqttUri;

    @Mixin
    FleetOptions fleetOptions;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "How long to publish, e.g. 60s; without it, until Ctrl-C.")
    Duration duration;

    @Option(names = "--drain-timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long to wait for outstanding PUBACKs at the end (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--ledger", paramLabel = "FILE",
            description = "Write the run's ledger here (every --ledger-every and at the end), for 'simulator verify'.")
    Path ledgerFile;

    @Option(names = "--ledger-every", defaultValue = "10s", converter = DurationConverter.class,
            description = "How often the ledger file is rewritten during the run (default: ${DEFAULT-VALUE}).")
    Duration ledgerEvery;

    @Option(names = "--provision",
            description = "Register the run's devices in the gateway's registry (Kafka) first; devices then connect "
                    + "with their own secrets. Needs the gateway to run with --authentication registry.")
    boolean provision;

    @Option(names = "--kafka-bootstrap", defaultValue = "${env:TRIBUTARY_KAFKA_BOOTSTRAP}",
            description = "With --provision: Kafka of the registry (default: bootstrap.servers of --kafka-config, "
                    + "else localhost:9092).")
    String kafkaBootstrap;

    @Option(names = "--topic-prefix", defaultValue = "${env:TRIBUTARY_TOPIC_PREFIX:-" + Topics.DEFAULT_PREFIX + "}",
            description = "With --provision: the gateway's topic prefix; the registry is {prefix}devices "
                    + "(default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    /** With --provision: the registry's Kafka client properties (e.g. security settings). */
    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Mixin
    InfluxOptions influx;

    @Option(names = "--settle-time", defaultValue = "10s", converter = DurationConverter.class,
            description = "With --influx-url: how long to wait for storage to catch up (default: ${DEFAULT-VALUE}).")
    Duration settleTime;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SimulatorMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        FleetPlan plan = usage(() -> fleetOptions.plan(mqttUri, null));
        if ("paho".equals(fleetOptions.mqttClient()) && plan.scenario().anomalies().stream()
                .anyMatch(a -> a.type() == Anomaly.Type.RECONNECT_STORM)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "a reconnect-storm anomaly needs --mqtt-client vertx (Paho cannot drop a connection on purpose)");
        }
        InfluxTarget influxTarget = influx.target();
        Function<String, byte[]> passwords = provision ? provision(plan)::get : deviceId -> null;

        Fleet fleet = new Fleet(plan, fleetOptions.transport(plan.mqttServerUri(), passwords));
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            awaitQuietly(finished, drainTimeout.plus(settleTime).plusSeconds(5));
        }, "simulator-shutdown"));

        boolean terminal = System.console() != null;
        System.out.printf("Simulating %,d devices (scenario %s, run %s, seed %d) against %s%s%n", plan.devices(),
                plan.scenario().name(), plan.runId(), plan.scenario().seed(), plan.mqttServerUri(),
                ledgerFile == null ? "" : "; ledger: " + ledgerFile);
        long started = System.nanoTime();
        fleet.start();
        ProgressDisplay progress = new ProgressDisplay(fleet, System.out, terminal, started);
        long refreshNanos = TimeUnit.SECONDS.toNanos(terminal ? 1 : 5);
        long deadline = duration == null ? Long.MAX_VALUE : started + duration.toNanos();
        long nextLedgerWrite = started + ledgerEvery.toNanos();
        try {
            while (System.nanoTime() < deadline && !stopRequested.await(
                    Math.min(refreshNanos, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                progress.update();
                if (System.nanoTime() >= nextLedgerWrite) {
                    writeLedger(fleet, false);
                    nextLedgerWrite = System.nanoTime() + ledgerEvery.toNanos();
                }
            }
            progress.finish();
            boolean drained = fleet.stop(drainTimeout);
            long runNanos = System.nanoTime() - started;
            writeLedger(fleet, true);
            Map<String, Object> summary = summary(fleet, drained, runNanos);
            boolean passed = true;
            if (influxTarget != null) {
                VerificationReport report;
                try (InfluxVerifier verifier = new InfluxVerifier(influxTarget)) {
                    report = verifier.verifyWithin(fleet.config().devicePrefix(), fleet.ledger()::snapshot, settleTime);
                }
                report.print(System.out);
                summary.put("stored_readings", report.storedReadings());
                summary.put("lost_readings", report.lostReadings());
                summary.put("extra_readings", report.extraReadings());
                summary.put("expected_alerts", report.expectedAlerts());
                summary.put("missing_alerts", report.missingAlerts().size());
                summary.put("verified", report.passed());
                passed = report.passed();
            }
            System.out.println("SUMMARY " + Json.write(summary));
            return passed ? 0 : 1;
        } finally {
            fleet.close();
            finished.countDown();
        }
    }

    /** {@code options} resolved; a bad value is a usage error. */
    private <T> T usage(Supplier<T> options) {
        try {
            return options.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Map<String, byte[]> provision(FleetPlan plan) throws InterruptedException {
        KafkaClientConfig client = usage(() -> kafka.resolve(kafkaBootstrap, System.getenv()));
        System.out.printf("Provisioning %,d devices in the registry %s at %s ...%n", plan.devices(),
                new Topics(topicPrefix).devices(), client);
        try (FleetProvisioner provisioner = FleetProvisioner.connect(client.bootstrap(), topicPrefix,
                client.properties(), Duration.ofSeconds(30))) {
            return provisioner.provision(plan.deviceIds(), plan.labels());
        }
    }

    private void writeLedger(Fleet fleet, boolean finished) {
        if (ledgerFile == null) {
            return;
        }
        try {
            LedgerFile.write(ledgerFile, fleet.config().runId(), fleet.config().devicePrefix(),
                    fleet.config().scenario().name(), finished, fleet.ledger().snapshot(),
                    provision ? fleet.config().labels() : Map.of());
        } catch (IOException e) {
            LOG.error("Could not write the ledger [file: {}]", ledgerFile, e);
        }
    }

    private static Map<String, Object> summary(Fleet fleet, boolean drained, long runNanos) {
        LossLedger.Totals totals = fleet.ledger().totals();
        double seconds = runNanos / 1e9;
        LatencyHistogram latency = fleet.pubackLatency();
        Map<String, Object> puback = new LinkedHashMap<>();
        puback.put("p50", latency.percentileMillis(50));
        puback.put("p90", latency.percentileMillis(90));
        puback.put("p99", latency.percentileMillis(99));
        puback.put("max", latency.maxMillis());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("run_id", fleet.config().runId());
        summary.put("scenario", fleet.config().scenario().name());
        summary.put("seed", fleet.config().scenario().seed());
        summary.put("devices", totals.devices());
        summary.put("generated_readings", totals.generatedReadings());
        summary.put("published_readings", totals.publishedReadings());
        summary.put("published_batches", totals.publishedBatches());
        summary.put("rejected_readings", totals.rejectedReadings());
        summary.put("unacknowledged_readings", totals.pendingReadings());
        summary.put("retries", totals.retries());
        summary.put("duplicate_acks", totals.duplicateAcks());
        summary.put("connect_failures", fleet.connectFailures());
        summary.put("drained", drained);
        summary.put("run_seconds", Math.round(seconds * 10) / 10.0);
        summary.put("acked_readings_per_s", seconds > 0 ? Math.round(totals.publishedReadings() / seconds) : 0);
        summary.put("puback_ms", puback);
        return summary;
    }

    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
