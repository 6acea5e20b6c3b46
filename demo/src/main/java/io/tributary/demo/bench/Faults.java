package io.tributary.demo.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The faults of {@code bench peers}, one per phase at a fixed rate: {@link #AT} after the fleet's readings start
 * flowing, a fault is injected; the simulator then verifies its ledger against InfluxDB. The figure is the readings
 * acknowledged to devices (PUBACK) and not stored.
 */
final class Faults {

    private static final Logger LOG = LoggerFactory.getLogger(Faults.class);
    /** How long into the fleet's traffic a fault starts. */
    static final Duration AT = Duration.ofSeconds(10);
    static final Duration CONSUMER_PAUSE = Duration.ofSeconds(5);
    static final Duration INFLUX_HANG = Duration.ofSeconds(30);

    /** A fault: what it does to the running stack. */
    record Fault(String name, Injection injection) {
    }

    @FunctionalInterface
    interface Injection {
        void inject() throws InterruptedException, IOException;
    }

    private Faults() {
    }

    /** Our stack's faults: the middle tier (processor), the gateway, Kafka's consumer side, InfluxDB hung. */
    static List<Fault> tributary(BenchPipeline pipeline) {
        return List.of(
                new Fault("kill -9 middle tier", () -> pipeline.killAndRestart("processor")),
                new Fault("kill -9 gateway", () -> pipeline.killAndRestart("gateway")),
                new Fault("broker consumer paused 5 s", () -> pause(pipeline.pid("processor"), CONSUMER_PAUSE)),
                new Fault("InfluxDB hung 30 s", () -> pause(pipeline.pid("influxd"), INFLUX_HANG)));
    }

    /** The peer's: the middle tier (Node-RED), Mosquitto's consumer side (Node-RED stopped), InfluxDB hung. */
    static List<Fault> peer(PeerStack peer) {
        return List.of(
                new Fault("kill -9 middle tier", peer::killNodeRedAndRestart),
                new Fault("broker consumer paused 5 s", () -> pause(peer.nodeRedPid(), CONSUMER_PAUSE)),
                new Fault("InfluxDB hung 30 s", () -> pause(peer.influxdPid(), INFLUX_HANG)));
    }

    /** SIGSTOP of a process for {@code how long}, then SIGCONT: a hung process that keeps its connections open. */
    static void pause(long pid, Duration howLong) throws InterruptedException, IOException {
        signal("STOP", pid);
        try {
            Thread.sleep(howLong.toMillis());
        } finally {
            signal("CONT", pid);
        }
    }

    private static void signal(String name, long pid) throws InterruptedException, IOException {
        int exit = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IOException("kill -" + name + " " + pid + " exited with " + exit);
        }
    }

    /** Runs every fault in its own phase of {@code length} at {@code rate}; the figures per fault name. */
    static Map<String, Object> run(List<Fault> faults, PhaseRunner phases, StackSampler sampler, double rate,
            Duration length, PrintStream out) throws InterruptedException {
        Map<String, Object> results = new LinkedHashMap<>();
        for (int i = 0; i < faults.size(); i++) {
            Fault fault = faults.get(i);
            AtomicReference<String> failure = new AtomicReference<>();
            Thread injector = new Thread(() -> {
                try {
                    awaitTraffic(sampler);
                    Thread.sleep(AT.toMillis());
                    fault.injection().inject();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Fault {} failed", fault.name(), e);
                    failure.set(e.toString());
                }
            }, "tributary-bench-fault");
            injector.start();
            // The phase name ends the simulator's run id (32 characters at most): a number, not the fault's name.
            PhaseResult phase = phases.run("fault-" + (i + 1), rate, length, true, false);
            injector.join();
            SimulatorSummary sim = phase.simulator();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("offered_readings_per_s", BenchReport.round(phase.offered()));
            m.put("acknowledged_readings", sim == null ? null : sim.publishedReadings());
            m.put("stored_readings", sim == null ? null : sim.storedReadings());
            m.put("acknowledged_and_lost", sim == null ? null : sim.lostReadings());
            m.put("injection_failed", failure.get());
            results.put(fault.name(), m);
            out.printf(Locale.ROOT, "fault %s: %s acknowledged, %s of them lost%n", fault.name(),
                    m.get("acknowledged_readings"), m.get("acknowledged_and_lost"));
            phases.drain();
        }
        return results;
    }

    /** Until the stack's intake counter moves (the fleet has started publishing); bounded. */
    private static void awaitTraffic(StackSampler sampler) throws InterruptedException {
        Sample first = sampler.latest();
        double before = first == null || Double.isNaN(first.gatewayReadings()) ? 0 : first.gatewayReadings();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Sample latest = sampler.latest();
            if (latest != null && latest.gatewayReadings() > before) {
                return;
            }
            Thread.sleep(200);
        }
    }
}
