package io.tributary.demo;

import io.tributary.common.Json;
import io.tributary.simulator.config.FleetOptions;
import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.fleet.FleetPlan;
import io.tributary.simulator.ledger.LossLedger;
import io.tributary.simulator.verify.InfluxVerifier;
import io.tributary.simulator.verify.VerificationReport;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One demo run: start, publish with a live status line, stop, drain, verify, summarise. {@code fleetOptions}: the
 * simulator's command-line options (without any, the demo scenario); {@code duration} null: until Ctrl-C;
 * {@code interactive}: a terminal, where one status line is rewritten instead of a line printed every 5 s;
 * {@code stop} ends the publishing phase early (Ctrl-C).
 */
record DemoRun(PipelineOptions options, FleetOptions fleetOptions, Duration duration, PrintStream out,
        boolean interactive, StopSignal stop) {

    private static final Logger LOG = LoggerFactory.getLogger(DemoRun.class);
    private static final Duration FLEET_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROCESSOR_DRAIN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STORAGE_SETTLE_TIMEOUT = Duration.ofSeconds(15);
    /** The bundled scenario the demo runs unless fleet flags or another scenario are given. */
    static final String DEFAULT_SCENARIO = "demo";

    int run() throws InterruptedException {
        out.println("Starting Kafka, " + (options.externalInflux() == null ? "InfluxDB, " : "")
                + "the gateway and the processor (logs: logs/demo.log) ...");
        Map<String, Object> summary = new LinkedHashMap<>();
        boolean passed;
        long startedAt = System.nanoTime();
        try (Pipeline pipeline = Pipeline.start(options)) {
            FleetPlan plan = fleetOptions.plan(pipeline.mqttServerUri(), DEFAULT_SCENARIO);
            out.printf("Pipeline up in %.1f s. Publishing from %d devices (scenario %s, run %s) to %s, storing in %s%n",
                    (System.nanoTime() - startedAt) / 1e9, plan.devices(), plan.scenario().name(), plan.runId(),
                    pipeline.mqttServerUri(), pipeline.influx().url());
            out.println(duration == null ? "Press Ctrl-C to stop."
                    : "Running for " + duration.toSeconds() + " s (Ctrl-C stops earlier).");

            Map<String, byte[]> secrets = pipeline.provision(plan.deviceIds(), plan.labels());
            Fleet fleet = new Fleet(plan, fleetOptions.transport(plan.mqttServerUri(), secrets::get));
            long publishStart = System.nanoTime();
            long jvmCpuStart = jvmCpuNanos();
            long childCpuStart = childrenCpuNanos();
            try {
                fleet.start();
                showProgressUntilStopped(fleet, pipeline, publishStart);
                long publishNanos = System.nanoTime() - publishStart;

                out.println("Stopping: waiting for outstanding PUBACKs ...");
                boolean fleetDrained = fleet.stop(FLEET_DRAIN_TIMEOUT);
                out.println("Draining: waiting for the processor to store everything in Kafka ...");
                boolean caughtUp = pipeline.awaitProcessorCaughtUp(PROCESSOR_DRAIN_TIMEOUT);
                out.println("Verifying: counting the stored readings in InfluxDB ...");
                VerificationReport report = verify(pipeline, fleet);
                passed = report.passed();
                summary = summary(fleet, report, publishNanos, fleetDrained, caughtUp, pipeline);
                addCpu(summary, jvmCpuNanos() - jvmCpuStart, childrenCpuNanos() - childCpuStart,
                        report.storedReadings());
            } finally {
                fleet.close();
            }
            out.println("Stopping the pipeline ...");
        }
        out.println("SUMMARY " + Json.write(summary));
        return passed ? 0 : 1;
    }

    private void showProgressUntilStopped(Fleet fleet, Pipeline pipeline, long publishStart)
            throws InterruptedException {
        long deadline = duration == null ? Long.MAX_VALUE : publishStart + duration.toNanos();
        Duration refresh = Duration.ofSeconds(interactive ? 1 : 5);
        Progress progress = new Progress(publishStart);
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || stop.await(Duration.ofNanos(Math.min(remaining, refresh.toNanos())))) {
                break;
            }
            String line = progress.line(fleet, pipeline);
            if (interactive) {
                out.print("\r" + line + "   ");
                out.flush();
            } else {
                out.println(line);
            }
        }
        if (interactive) {
            out.println();
        }
    }

    private VerificationReport verify(Pipeline pipeline, Fleet fleet) throws InterruptedException {
        try (InfluxVerifier verifier = new InfluxVerifier(pipeline.influx())) {
            VerificationReport report = verifier.verifyWithin(fleet.config().devicePrefix(), fleet.ledger()::snapshot,
                    STORAGE_SETTLE_TIMEOUT);
            if (!report.missingAlerts().isEmpty()) {
                LOG.error("Expected alerts missing in InfluxDB [missing: {}]", report.missingAlerts());
            }
            if (!report.complete()) {
                LOG.error("Readings missing in InfluxDB after draining [lost: {}, devices: {}]", report.lostReadings(),
                        report.devicesWithLoss());
            }
            return report;
        }
    }

    private Map<String, Object> summary(Fleet fleet, VerificationReport report, long publishNanos,
            boolean fleetDrained, boolean caughtUp, Pipeline pipeline) {
        LossLedger.Totals totals = fleet.ledger().totals();
        double seconds = publishNanos / 1e9;
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("published_readings", report.publishedReadings());
        summary.put("stored_readings", report.storedReadings());
        summary.put("lost_readings", report.lostReadings());
        summary.put("extra_readings", report.extraReadings());
        summary.put("rejected_readings", totals.rejectedReadings());
        summary.put("expected_alerts", report.expectedAlerts());
        summary.put("missing_alerts", report.missingAlerts());
        summary.put("unacknowledged_readings", totals.pendingReadings());
        summary.put("published_batches", totals.publishedBatches());
        summary.put("retries", totals.retries());
        summary.put("devices", totals.devices());
        summary.put("scenario", fleet.config().scenario().name());
        summary.put("run_id", fleet.config().runId());
        summary.put("publish_seconds", Math.round(seconds * 10) / 10.0);
        summary.put("readings_per_second", seconds > 0 ? Math.round(totals.publishedReadings() / seconds) : 0);
        summary.put("fleet_drained", fleetDrained);
        summary.put("processor_caught_up", caughtUp);
        summary.put("influx_url", pipeline.influx().url());
        return summary;
    }

    /**
     * CPU used from the fleet's start to the end of verification: the demo JVM (simulator, gateway, Kafka broker,
     * processor) and the local stack's influxd. On a shared, noisy machine CPU-seconds per reading say more than
     * wall-clock rates.
     */
    private static void addCpu(Map<String, Object> summary, long jvmNanos, long influxdNanos, long storedReadings) {
        summary.put("cpu_seconds_jvm", Math.round(jvmNanos / 1e7) / 100.0);
        summary.put("cpu_seconds_influxd", Math.round(influxdNanos / 1e7) / 100.0);
        if (storedReadings > 0 && jvmNanos >= 0) {
            summary.put("cpu_us_per_reading", Math.round((jvmNanos + influxdNanos) / 1e1 / storedReadings) / 100.0);
        }
    }

    /** CPU time of this JVM so far, in nanoseconds; -1 if the platform does not tell. */
    private static long jvmCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** CPU time of every live child process (the local stack's influxd) so far, in nanoseconds. */
    private static long childrenCpuNanos() {
        return ProcessHandle.current().descendants()
                .mapToLong(child -> child.info().totalCpuDuration().orElse(Duration.ZERO).toNanos()).sum();
    }

    /** The status line: totals and rates since the previous line. */
    private static final class Progress {
        private final long start;
        private long previousAt;
        private long previousPublished;
        private long previousStored;

        Progress(long start) {
            this.start = start;
            this.previousAt = start;
        }

        String line(Fleet fleet, Pipeline pipeline) {
            long now = System.nanoTime();
            LossLedger.Totals totals = fleet.ledger().totals();
            long stored = pipeline.processor().meters().count("points.written", "writer", "readings");
            double seconds = Math.max((now - previousAt) / 1e9, 1e-3);
            String line = String.format(
                    "[%4ds] devices %d/%d | published %,d readings (%,.0f/s) | stored %,d (%,.0f/s) | rejected %,d | retries %,d",
                    (now - start) / 1_000_000_000L, fleet.connectedDevices(), fleet.deviceCount(),
                    totals.publishedReadings(), (totals.publishedReadings() - previousPublished) / seconds, stored,
                    (stored - previousStored) / seconds, totals.rejectedReadings(), totals.retries());
            previousAt = now;
            previousPublished = totals.publishedReadings();
            previousStored = stored;
            return line;
        }
    }
}
