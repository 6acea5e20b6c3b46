package io.tributary.demo.bench;

import io.tributary.demo.process.ServiceProcess;
import io.tributary.simulator.provision.FleetProvisioner;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the benchmark's phases against the started pipeline: a simulator process publishing at a rate for a while,
 * optionally the latency probe and the simulator's storage verification, and the sustainability verdict over the
 * samples of the phase's measured part (after its warm-up, counted from the fleet's start). {@code probeTarget} null:
 * no probe; {@code probeRegistry} null: the probe is not provisioned; {@code failover} null: no broker is killed.
 */
record PhaseRunner(BenchOptions options, BenchStack pipeline, StackSampler sampler, Probe.Target probeTarget,
        FleetProvisioner probeRegistry, String runId, PrintStream out, BrokerFailover failover) {

    private static final Logger LOG = LoggerFactory.getLogger(PhaseRunner.class);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration VERIFY_SETTLE = Duration.ofSeconds(120);
    private static final Duration PROBE_SETTLE = Duration.ofSeconds(3);
    /** What the simulator prints just before its fleet starts (SimulatorMain). */
    private static final String FLEET_START_LINE = "Simulating ";
    private static final Duration FLEET_START_TIMEOUT = Duration.ofSeconds(120);

    /** One load step, judged, reported and drained. */
    PhaseResult step(double rate) throws InterruptedException {
        PhaseResult step = run("step-" + Math.round(rate), rate, options.stepDuration(), false, false);
        out.printf(Locale.ROOT, "step %,d readings/s: %s: %s%n", Math.round(step.offered()),
                step.verdict().sustainable() ? "sustainable" : "NOT sustainable", step.verdict().reason());
        drain();
        return step;
    }

    PhaseResult run(String name, double rate, Duration duration, boolean verify, boolean probe)
            throws InterruptedException {
        double offered = options.offered(rate);
        sampler.phase(name);
        ServiceProcess simulator = pipeline.startSimulator("simulator-" + name,
                simulatorArgs(name, rate, duration, verify));
        // The phase starts when the fleet does, after the simulator's JVM start and provisioning, which take
        // seconds on a busy machine: counted from the launch, a short phase would judge time nobody published.
        double from = awaitFleetStart(simulator);
        double measuredFrom = from + options.warmup().toMillis() / 1000.0;
        Probe prober = null;
        try {
            sleepUntil(measuredFrom);
            Thread kill = null;
            if (probe) {
                long measuredStart = System.nanoTime();
                prober = startProbe(name);
                kill = failover == null || prober == null ? null : failover.start(measuredStart, prober);
            }
            double to = from + duration.toMillis() / 1000.0;
            sleepUntil(to);
            if (kill != null) {
                kill.join(BrokerFailover.DOWN.toMillis() + 120_000); // a restart takes seconds; bounded
            }
            if (prober != null) {
                prober.stop(PROBE_SETTLE);
            }
            Sustainability.Verdict verdict = Sustainability.judge(sampler.between(measuredFrom, to), offered);
            int exit = simulator.awaitExit(Duration.ofSeconds(60).plus(verify ? VERIFY_SETTLE : Duration.ZERO)
                    .plus(duration));
            if (exit != 0) {
                LOG.warn("Simulator of {} exited with {}: {}", name, exit, simulator.stderrTail());
            }
            SimulatorSummary summary = SimulatorSummary.parse(simulator.stdoutText());
            return new PhaseResult(name, offered, from, to, verdict, summary, prober, exit);
        } finally {
            simulator.close();
            if (prober != null) {
                prober.close();
            }
        }
    }

    private List<String> simulatorArgs(String name, double rate, Duration duration, boolean verify) {
        List<String> args = new ArrayList<>(pipeline.fleetTarget());
        args.addAll(List.of("--devices", Integer.toString(options.devices()),
                "--sensors", Integer.toString(BenchOptions.SENSORS),
                "--readings-per-sensor", Integer.toString(BenchOptions.READINGS_PER_SENSOR),
                "--interval", BenchOptions.intervalMillis(options.devices(), rate) + "ms",
                "--duration", duration.toMillis() + "ms",
                "--run-id", runId + "-" + name));
        options.labels().forEach((key, value) -> args.addAll(List.of("--label", key + "=" + value)));
        if (verify) {
            args.addAll(pipeline.influxOptions());
            args.addAll(List.of("--settle-time", VERIFY_SETTLE.toMillis() + "ms"));
        }
        return args;
    }

    /** A provisioned probe device publishing; null (and a warning) if it could not connect. */
    private Probe startProbe(String phase) throws InterruptedException {
        String probeId = failover == null ? "bench-probe-" + runId + "-" + phase
                : failover.probeDevice("bench-probe-" + runId + "-" + phase);
        byte[] password = probeRegistry == null ? null : probeRegistry.provision(List.of(probeId)).get(probeId);
        Probe prober = new Probe(probeTarget, probeId, password, options.probeInterval());
        try {
            prober.start();
            return prober;
        } catch (MqttException e) {
            LOG.warn("The probe could not connect: no latency figures for {}", phase, e);
            return null;
        }
    }

    /** When the simulator says it starts its fleet (bounded: the launch time if it never says so). */
    private double awaitFleetStart(ServiceProcess simulator) throws InterruptedException {
        double launched = sampler.now();
        long deadline = System.nanoTime() + FLEET_START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && simulator.isAlive()) {
            if (simulator.stdoutText().contains(FLEET_START_LINE)) {
                return sampler.now();
            }
            Thread.sleep(50);
        }
        LOG.warn("The simulator did not report its fleet's start within {}; the phase counts from its launch",
                FLEET_START_TIMEOUT);
        return launched;
    }

    /** Waits (bounded) until the processor has worked off the backlog, so the next phase starts clean. */
    void drain() throws InterruptedException {
        sampler.phase("drain");
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Sample latest = sampler.latest();
            if (latest != null && latest.backlog() <= 100) {
                return;
            }
            Thread.sleep(1_000);
        }
        LOG.warn("The backlog did not drain within {}", DRAIN_TIMEOUT);
    }

    private void sleepUntil(double t) throws InterruptedException {
        double wait = t - sampler.now();
        if (wait > 0) {
            Thread.sleep((long) (wait * 1000));
        }
    }
}
