package io.tributary.simulator;

import io.tributary.simulator.config.Durations;
import io.tributary.simulator.config.FleetOptions;
import io.tributary.simulator.config.SimulatorConfig;
import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.ledger.LossLedger;
import io.tributary.simulator.report.Json;
import io.tributary.simulator.verify.InfluxTarget;
import io.tributary.simulator.verify.InfluxVerifier;
import io.tributary.simulator.verify.VerificationReport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./tributary simulator}: runs a fleet against a gateway, then optionally verifies storage in InfluxDB. */
@Command(name = "simulator", mixinStandardHelpOptions = true,
        description = "Runs a fleet of simulated devices that publish protobuf batches over MQTT (QoS 1).")
public final class SimulatorMain implements Callable<Integer> {

    @Option(names = "--mqtt-uri", defaultValue = "${env:TRIBUTARY_MQTT_URI:-tcp://localhost:1883}",
            description = "Gateway to publish to (default: ${DEFAULT-VALUE}).")
    String mqttUri;

    @Mixin
    FleetOptions fleetOptions;

    @Option(names = "--duration", converter = Durations.Converter.class,
            description = "How long to publish, e.g. 60s; without it, until Ctrl-C.")
    Duration duration;

    @Option(names = "--drain-timeout", defaultValue = "30s", converter = Durations.Converter.class,
            description = "How long to wait for outstanding PUBACKs at the end (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--influx-url", defaultValue = "${env:TRIBUTARY_INFLUX_URL}",
            description = "If set, count the stored readings there at the end and report loss.")
    String influxUrl;

    @Option(names = "--influx-token", defaultValue = "${env:TRIBUTARY_INFLUX_TOKEN:-}")
    String influxToken;

    @Option(names = "--influx-org", defaultValue = "${env:TRIBUTARY_INFLUX_ORG:-tributary}")
    String influxOrg;

    @Option(names = "--influx-bucket", defaultValue = "${env:TRIBUTARY_INFLUX_BUCKET:-telemetry}")
    String influxBucket;

    @Option(names = "--settle-time", defaultValue = "10s", converter = Durations.Converter.class,
            description = "With --influx-url: how long to wait for storage to catch up (default: ${DEFAULT-VALUE}).")
    Duration settleTime;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SimulatorMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        SimulatorConfig config = fleetOptions.toConfig(mqttUri);
        InfluxTarget influx = influxUrl == null || influxUrl.isBlank() ? null
                : new InfluxTarget(influxUrl, influxToken, influxOrg, influxBucket);

        Fleet fleet = new Fleet(config, fleetOptions.transport(config.mqttServerUri(), deviceId -> null));
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            awaitQuietly(finished, drainTimeout.plus(settleTime).plusSeconds(5));
        }, "simulator-shutdown"));

        fleet.start();
        long started = System.nanoTime();
        long deadline = duration == null ? Long.MAX_VALUE : started + duration.toNanos();
        try {
            while (System.nanoTime() < deadline && !stopRequested.await(
                    Math.min(TimeUnit.SECONDS.toNanos(5), deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                LossLedger.Totals totals = fleet.ledger().totals();
                System.out.printf("[%5ds] connected %d/%d | published %,d readings | rejected %,d | retries %,d%n",
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), fleet.connectedDevices(),
                        fleet.deviceCount(), totals.publishedReadings(), totals.rejectedReadings(), totals.retries());
            }
            boolean drained = fleet.stop(drainTimeout);
            System.out.println("SUMMARY " + Json.write(summary(fleet, influx, drained)));
        } finally {
            fleet.close();
            finished.countDown();
        }
        return 0;
    }

    private Map<String, Object> summary(Fleet fleet, InfluxTarget influx, boolean drained) {
        LossLedger.Totals totals = fleet.ledger().totals();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("run_id", fleet.config().runId());
        summary.put("devices", totals.devices());
        summary.put("generated_readings", totals.generatedReadings());
        summary.put("published_readings", totals.publishedReadings());
        summary.put("published_batches", totals.publishedBatches());
        summary.put("rejected_readings", totals.rejectedReadings());
        summary.put("unacknowledged_readings", totals.pendingReadings());
        summary.put("retries", totals.retries());
        summary.put("drained", drained);
        if (influx != null) {
            VerificationReport report = verifyWithin(influx, fleet, settleTime);
            summary.put("stored_readings", report.storedReadings());
            summary.put("lost_readings", report.lostReadings());
            summary.put("extra_readings", report.extraReadings());
        }
        return summary;
    }

    private static VerificationReport verifyWithin(InfluxTarget influx, Fleet fleet, Duration settleTime) {
        try (InfluxVerifier verifier = new InfluxVerifier(influx)) {
            return verifier.verifyWithin(fleet.config().devicePrefix(), fleet.ledger()::snapshot, settleTime);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying", e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
