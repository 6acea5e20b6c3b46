package io.tributary.demo.bench;

import io.tributary.localstack.support.FreePorts;
import io.tributary.processor.config.ProcessorConfig;
import io.tributary.simulator.provision.FleetProvisioner;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole-pipeline benchmark. Every component runs as its own process on this machine: the local stack (in-JVM
 * Kafka plus the v2-write endpoint; {@code influxd} is its child), the gateway (authenticating every device against
 * its registry, as in production: each simulator provisions its fleet first), the processor with the demo's alert rules, and a simulator process per phase; this
 * JVM samples them and runs the probe device.
 *
 * <ol>
 *   <li><b>Steps</b>: the fleet publishes at each rate of {@link BenchOptions#rates()} for a step; a step is
 *       sustainable if the gateway took what was offered and the backlog in front of the processor did not grow
 *       ({@link Sustainability}). Stepping stops at the first unsustainable rate.</li>
 *   <li><b>Sustained</b>: the highest sustainable step rate for {@link BenchOptions#duration()}, the simulator
 *       verifying afterwards that InfluxDB holds every acknowledged reading (lost_readings), the probe measuring
 *       latency.</li>
 *   <li><b>Half rate</b>: half that rate with the probe: the latency figures the goal is stated for.</li>
 * </ol>
 * Writes {@code bench.json}, {@code throughput.png}, {@code latency.png} and {@code logs/} into the output directory.
 */
public final class PipelineBench {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineBench.class);
    private static final String PREFIX = ProcessorConfig.DEFAULT_TOPIC_PREFIX;
    private static final String WRITER_GROUP = ProcessorConfig.DEFAULT_CONSUMER_GROUP;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration VERIFY_SETTLE = Duration.ofSeconds(120);
    private static final Duration PROBE_SETTLE = Duration.ofSeconds(3);
    /** This JVM's own CPU (sampler, probe) is reported under this name and left out of the per-reading cost. */
    static final String BENCH_COMPONENT = "bench (sampler, probe)";
    private static final List<String> SERVICE_JVM_OPTIONS = List.of("-Xmx1g");
    /** What the simulator prints just before its fleet starts (SimulatorMain). */
    private static final String FLEET_START_LINE = "Simulating ";
    private static final Duration FLEET_START_TIMEOUT = Duration.ofSeconds(120);

    private final BenchOptions options;
    private final PrintStream out;
    private final List<ChildProcess> children = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final long startNanos = System.nanoTime();
    private final CpuAccount cpu = new CpuAccount();
    private final String runId = Long.toHexString(System.currentTimeMillis() & 0xffffffL);

    public PipelineBench(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** What one phase produced. */
    record PhaseResult(String name, double offered, double from, double to, Sustainability.Verdict verdict,
            SimulatorSummary simulator, Probe probe, int simulatorExit) {
    }

    /** Runs everything; returns the process exit code: 0 sustained without loss, 1 otherwise. */
    public int run() throws IOException, InterruptedException {
        Path logs = options.out().resolve("logs");
        Files.createDirectories(logs);
        String loadAtStart = Files.readString(Path.of("/proc/loadavg")).strip();
        Thread cleanup = new Thread(this::stopChildren, "tributary-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        cpu.register(BENCH_COMPONENT, ProcessHandle.current().pid());
        try {
            return runPipeline(logs, loadAtStart);
        } finally {
            stopChildren();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs anyway
            }
        }
    }

    private int runPipeline(Path logs, String loadAtStart) throws IOException, InterruptedException {
        out.println("Starting the local stack (Kafka, influxd) ...");
        ChildProcess stack = start(ChildProcess.startJar("stack", options.jar("local-stack",
                "tributary-local-stack.jar"), List.of(),
                List.of("--partitions", Integer.toString(options.partitions())), logs));
        Map<String, String> stackEnv = awaitStack(stack);
        cpu.register("kafka (stack JVM)", stack.pid());
        // influxd runs under the stack's child guardian: a grandchild, not a child.
        ProcessHandle.of(stack.pid()).ifPresent(handle -> handle.descendants()
                .filter(child -> child.info().command().map(c -> c.endsWith("influxd")).orElse(false))
                .forEach(influxd -> cpu.register("influxd", influxd.pid())));

        List<Integer> ports = FreePorts.loopback(3);
        int mqttPort = ports.get(0);
        int gatewayHttp = ports.get(1);
        int processorHttp = ports.get(2);
        String kafka = stackEnv.get("KAFKA_BOOTSTRAP");
        Path rules = options.out().resolve("alert-rules.yaml");
        copyDemoRules(rules);

        out.println("Starting the gateway and the processor ...");
        ChildProcess gateway = start(ChildProcess.startJar("gateway", options.jar("gateway", "tributary-gateway.jar"),
                SERVICE_JVM_OPTIONS, List.of("--kafka-bootstrap", kafka,
                        "--mqtt-host", "127.0.0.1", "--mqtt-port", Integer.toString(mqttPort),
                        "--http-port", Integer.toString(gatewayHttp)), logs));
        cpu.register("gateway", gateway.pid());
        ChildProcess processor = start(ChildProcess.startJar("processor", options.jar("cloud-processor",
                "tributary-cloud-processor.jar"), SERVICE_JVM_OPTIONS, List.of("--kafka-bootstrap", kafka,
                "--influx-url", stackEnv.get("INFLUX_URL"), "--influx-token", stackEnv.get("INFLUX_TOKEN"),
                "--influx-org", stackEnv.get("INFLUX_ORG"), "--influx-bucket", stackEnv.get("INFLUX_BUCKET"),
                "--rules", rules.toString(), "--http-port", Integer.toString(processorHttp),
                // influxd and Kafka run on this machine: compression would cost CPU on both ends and save nothing
                "--set", "influx.gzip=false", "--set", "streams.compression=none"), logs));
        cpu.register("processor", processor.pid());
        URI gatewayBase = URI.create("http://127.0.0.1:" + gatewayHttp);
        URI processorBase = URI.create("http://127.0.0.1:" + processorHttp);
        awaitReady(gateway, gatewayBase.resolve("/health/ready"));
        awaitReady(processor, processorBase.resolve("/health/ready"));

        String mqttUri = "tcp://127.0.0.1:" + mqttPort;
        Probe.Target probeTarget = new Probe.Target(mqttUri, kafka, PREFIX + "telemetry", PREFIX + "alerts",
                stackEnv.get("INFLUX_DIRECT_URL"), stackEnv.get("INFLUX_BUCKET"));
        try (Sampler sampler = new Sampler(gatewayBase.resolve("/metrics"), processorBase.resolve("/metrics"), kafka,
                WRITER_GROUP, PREFIX + "telemetry", cpu, startNanos);
                FleetProvisioner probeRegistry = FleetProvisioner.connect(kafka, PREFIX, Map.of(),
                        Duration.ofSeconds(30))) {
            sampler.start();
            Phases phases = new Phases(sampler, mqttUri, stackEnv, probeTarget, probeRegistry, logs);

            List<PhaseResult> steps = new ArrayList<>();
            PhaseResult best = null;
            double firstFailed = Double.NaN;
            for (int rate : options.rates()) {
                PhaseResult step = phases.step(rate, steps);
                if (!step.verdict().sustainable()) {
                    firstFailed = rate;
                    break;
                }
                best = step;
            }
            // Narrow the gap between the last good and the first failed step by bisection.
            double low = best == null ? 0 : best.offered();
            for (int i = 0; i < options.refinements() && !Double.isNaN(firstFailed); i++) {
                double middle = Math.round((low + firstFailed) / 2 / 1000.0) * 1000.0;
                if (middle <= low || middle >= firstFailed) {
                    break;
                }
                PhaseResult step = phases.step(middle, steps);
                if (step.verdict().sustainable()) {
                    best = step;
                    low = step.offered();
                } else {
                    firstFailed = middle;
                }
            }

            PhaseResult sustained = null;
            PhaseResult half = null;
            if (best != null) {
                double rate = best.offered();
                out.printf(Locale.ROOT, "sustained: %,.0f readings/s for %d s, then verifying storage ...%n", rate,
                        options.duration().toSeconds());
                // No probe here: it polls InfluxDB every 20 ms and reads a whole telemetry partition, CPU the
                // pipeline would miss at its limit. Latency is measured at half rate, where the goal is stated.
                sustained = phases.run("sustained", rate, options.duration(), true, false);
                out.printf(Locale.ROOT, "sustained: %s: %s; lost_readings %s%n",
                        sustained.verdict().sustainable() ? "sustainable" : "NOT sustainable",
                        sustained.verdict().reason(),
                        sustained.simulator() == null ? "unknown" : sustained.simulator().lostReadings());
                phases.drain();
                out.printf(Locale.ROOT, "half rate: %,.0f readings/s for %d s with the latency probe ...%n",
                        rate / 2, options.halfDuration().toSeconds());
                half = phases.run("half-rate", rate / 2, options.halfDuration(), false, true);
            } else {
                out.println("No step was sustainable: no sustained or half-rate phase.");
            }
            sampler.phase("end");
            Thread.sleep(1_500);

            List<Sample> samples = sampler.samples();
            BenchReport report = new BenchReport(options, steps, sustained, half, samples, loadAtStart);
            Map<String, Object> json = report.toMap();
            Files.writeString(options.out().resolve("bench.json"),
                    new JsonObject(json).encodePrettily() + "\n", StandardCharsets.UTF_8);
            Plots.throughput(samples, options.out().resolve("throughput.png"));
            Map<String, List<Double>> hops = new LinkedHashMap<>();
            if (half != null) {
                hops.put("publish -> PUBACK", half.probe().puback.snapshot());
                hops.put("publish -> Kafka", half.probe().kafka.snapshot());
                hops.put("publish -> alert", half.probe().alert.snapshot());
                hops.put("publish -> queryable in InfluxDB", half.probe().queryable.snapshot());
            }
            Plots.latency(hops, String.format(Locale.ROOT, "Tributary pipeline: latency at half the sustained rate"
                    + " (%,.0f readings/s)", half == null ? 0 : half.offered()), options.out().resolve("latency.png"));
            out.println("RESULT " + new JsonObject(report.headline()).encode());
            out.println("Wrote " + options.out().resolve("bench.json") + ", throughput.png, latency.png and logs/");
            return report.passed() ? 0 : 1;
        }
    }

    /** Runs the phases against the started pipeline. */
    private final class Phases {
        private final Sampler sampler;
        private final String mqttUri;
        private final Map<String, String> stackEnv;
        private final Probe.Target probeTarget;
        private final FleetProvisioner probeRegistry;
        private final Path logs;

        Phases(Sampler sampler, String mqttUri, Map<String, String> stackEnv, Probe.Target probeTarget,
                FleetProvisioner probeRegistry, Path logs) {
            this.sampler = sampler;
            this.mqttUri = mqttUri;
            this.stackEnv = stackEnv;
            this.probeTarget = probeTarget;
            this.probeRegistry = probeRegistry;
            this.logs = logs;
        }

        /** One load step, judged, reported and drained. */
        PhaseResult step(double rate, List<PhaseResult> steps) throws InterruptedException {
            PhaseResult step = run("step-" + Math.round(rate), rate, options.stepDuration(), false, false);
            steps.add(step);
            out.printf(Locale.ROOT, "step %,d readings/s: %s: %s%n", Math.round(step.offered()),
                    step.verdict().sustainable() ? "sustainable" : "NOT sustainable", step.verdict().reason());
            drain();
            return step;
        }

        PhaseResult run(String name, double rate, Duration duration, boolean verify, boolean probe)
                throws InterruptedException {
            double offered = options.offered(rate);
            sampler.phase(name);
            List<String> args = new ArrayList<>(List.of("--mqtt-uri", mqttUri,
                    "--devices", Integer.toString(options.devices()),
                    "--sensors", Integer.toString(BenchOptions.SENSORS),
                    "--readings-per-sensor", Integer.toString(BenchOptions.READINGS_PER_SENSOR),
                    "--interval", BenchOptions.intervalMillis(options.devices(), rate) + "ms",
                    "--duration", duration.toMillis() + "ms",
                    "--run-id", runId + "-" + name,
                    "--provision", "--kafka-bootstrap", stackEnv.get("KAFKA_BOOTSTRAP")));
            if (verify) {
                args.addAll(List.of("--influx-url", stackEnv.get("INFLUX_URL"),
                        "--influx-token", stackEnv.get("INFLUX_TOKEN"), "--influx-org", stackEnv.get("INFLUX_ORG"),
                        "--influx-bucket", stackEnv.get("INFLUX_BUCKET"),
                        "--settle-time", VERIFY_SETTLE.toMillis() + "ms"));
            }
            ChildProcess simulator = start(ChildProcess.startJar("simulator-" + name, options.jar("device-simulator",
                    "tributary-device-simulator.jar"), List.of(), args, logs));
            cpu.register("simulator", simulator.pid());
            // The phase starts when the fleet does, after the simulator's JVM start and provisioning, which take
            // seconds on a busy machine: counted from the launch, a short phase would judge time nobody published.
            double from = awaitFleetStart(simulator);
            Probe prober = null;
            try {
                sleepUntil(from + options.warmup().toMillis() / 1000.0);
                if (probe) {
                    String probeId = "bench-probe-" + runId + "-" + name;
                    byte[] password = probeRegistry.provision(List.of(probeId)).get(probeId);
                    prober = new Probe(probeTarget, probeId, password, options.probeInterval());
                    try {
                        prober.start();
                    } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                        LOG.warn("The probe could not connect: no latency figures for {}", name, e);
                        prober = null;
                    }
                }
                double to = from + duration.toMillis() / 1000.0;
                sleepUntil(to);
                if (prober != null) {
                    prober.stop(PROBE_SETTLE);
                }
                Sustainability.Verdict verdict = Sustainability.judge(
                        sampler.between(from + options.warmup().toMillis() / 1000.0, to), offered);
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

        /** When the simulator says it starts its fleet (bounded: the launch time if it never says so). */
        private double awaitFleetStart(ChildProcess simulator) throws InterruptedException {
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

    private ChildProcess start(ChildProcess child) {
        children.add(child);
        return child;
    }

    /** Stops every child still running, the newest first (simulator, processor, gateway, then the stack). */
    private void stopChildren() {
        List<ChildProcess> reversed = new ArrayList<>(children);
        java.util.Collections.reverse(reversed);
        for (ChildProcess child : reversed) {
            child.close();
        }
    }

    /** Waits for the stack's {@code KEY=value} lines up to {@code READY}. */
    private Map<String, String> awaitStack(ChildProcess stack) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = stack.stdoutText();
            if (text.lines().anyMatch("READY"::equals)) {
                Map<String, String> env = new HashMap<>();
                text.lines().filter(l -> l.contains("=")).forEach(l -> {
                    int eq = l.indexOf('=');
                    env.put(l.substring(0, eq), l.substring(eq + 1));
                });
                return env;
            }
            if (!stack.isAlive()) {
                throw new IllegalStateException("the local stack exited at start: " + stack.stderrTail());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the local stack was not ready within " + START_TIMEOUT);
    }

    private void awaitReady(ChildProcess child, URI health) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new IllegalStateException(child.name() + " exited at start: " + child.stderrTail());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(health)
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(child.name() + " was not ready within " + START_TIMEOUT + ": "
                + child.stderrTail());
    }

    private static void copyDemoRules(Path target) {
        try (InputStream rules = PipelineBench.class.getResourceAsStream("/demo-rules.yaml")) {
            if (rules == null) {
                throw new IllegalStateException("demo-rules.yaml missing from the classpath");
            }
            Files.copy(rules, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the alert rules to " + target, e);
        }
    }

    static String now() {
        return Instant.now().toString();
    }
}
