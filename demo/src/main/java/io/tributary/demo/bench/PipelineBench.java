package io.tributary.demo.bench;

import io.tributary.common.KafkaClientConfig;
import io.tributary.contract.Topics;
import io.tributary.simulator.provision.FleetProvisioner;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The whole-pipeline benchmark. Every component runs as its own process on this machine ({@link BenchPipeline}); this
 * JVM samples them ({@link StackSampler}) and runs the probe device ({@link Probe}).
 *
 * <ol>
 *   <li><b>Steps</b>: the fleet publishes at each rate of {@link BenchOptions#rates()} for a step; a step is
 *       sustainable if the gateway took what was offered and the backlog in front of the processor did not grow
 *       ({@link Sustainability}). Stepping stops at the first unsustainable rate
 *       ({@link RateSearch}).</li>
 *   <li><b>Sustained</b>: the highest sustainable step rate for {@link BenchOptions#duration()}, the simulator
 *       verifying afterwards that InfluxDB holds every acknowledged reading (lost_readings), the probe measuring
 *       latency.</li>
 *   <li><b>Half rate</b>: half that rate with the probe: the latency figures the goal is stated for.</li>
 * </ol>
 * Writes {@code bench.json}, {@code throughput.png}, {@code latency.png} and {@code logs/} into the output directory.
 */
public final class PipelineBench {

    private static final Topics TOPICS = Topics.defaults();
    /** This JVM's own CPU (sampler, probe) is reported under this name and left out of the per-reading cost. */
    static final String BENCH_COMPONENT = "bench (sampler, probe)";

    private final BenchOptions options;
    /** When, in the half-rate phase, to kill a Kafka broker; null: Kafka is one broker, nothing is killed. */
    private final Duration killBrokerAt;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private final CpuAccount cpu = new CpuAccount();
    private final String runId = Long.toHexString(System.currentTimeMillis() & 0xffffffL);

    public PipelineBench(BenchOptions options, PrintStream out) {
        this(options, null, out);
    }

    public PipelineBench(BenchOptions options, Duration killBrokerAt, PrintStream out) {
        this.options = options;
        this.killBrokerAt = killBrokerAt;
        this.out = out;
    }

    /** Runs everything; returns the process exit code: 0 sustained without loss, 1 otherwise. */
    public int run() throws IOException, InterruptedException {
        Path logs = options.out().resolve("logs");
        Files.createDirectories(logs);
        String loadAtStart = Files.readString(Path.of("/proc/loadavg")).strip();
        cpu.register(BENCH_COMPONENT, ProcessHandle.current().pid());
        BenchPipeline pipeline = new BenchPipeline(options, logs, cpu, killBrokerAt != null);
        Thread cleanup = new Thread(pipeline::close, "tributary-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            pipeline.start(out);
            return measure(pipeline, loadAtStart);
        } finally {
            pipeline.close();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs anyway
            }
        }
    }

    private int measure(BenchPipeline pipeline, String loadAtStart) throws IOException, InterruptedException {
        // The bench's own clients (probe, lag, the probe's provisioning): the stack's admin identity when secured
        KafkaClientConfig kafka = pipeline.kafka(BenchPipeline.ADMIN);
        Probe.Target probeTarget = new Probe.Target(pipeline.mqttUri(), kafka, TOPICS.telemetry(),
                TOPICS.alerts(), pipeline.influxDirectUrl(), pipeline.influxBucket());
        try (StackSampler sampler = new StackSampler(pipeline, cpu, startNanos);
                FleetProvisioner probeRegistry = FleetProvisioner.connect(kafka.bootstrap(), TOPICS.prefix(),
                        kafka.properties(),
                        Duration.ofSeconds(30))) {
            sampler.start();
            BrokerFailover failover = killBrokerAt == null ? null
                    : new BrokerFailover(pipeline.kafkaCluster().orElseThrow(), TOPICS.telemetry(), killBrokerAt);
            PhaseRunner phases = new PhaseRunner(options, pipeline, sampler, probeTarget, probeRegistry, runId, out,
                    failover);
            return measure(options, phases, sampler, failover, loadAtStart, "Tributary pipeline", out).passed() ? 0
                    : 1;
        }
    }

    /**
     * The steps, the sustained and the half-rate phase on a started stack ({@code title} names it in the plots);
     * writes {@code bench.json}, {@code throughput.png}, {@code latency.png} and a RESULT line.
     */
    static BenchReport measure(BenchOptions options, PhaseRunner phases, StackSampler sampler, BrokerFailover failover,
            String loadAtStart, String title, PrintStream out) throws IOException, InterruptedException {
        RateSearch.Outcome search = RateSearch.search(options.rates(), options.refinements(), phases::step);
        PhaseResult best = search.best();
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
            if (failover != null) {
                String json = new JsonObject(failover.report(half.probe())).encodePrettily();
                Files.writeString(options.out().resolve("failover.json"), json + "\n");
                out.println("broker failover: " + json.replaceAll("\\s+", " "));
            }
        } else {
            out.println("No step was sustainable: no sustained or half-rate phase.");
        }
        sampler.phase("end");
        Thread.sleep(1_500);

        List<Sample> samples = sampler.samples();
        BenchReport report = new BenchReport(options, search.steps(), sustained, half, samples, loadAtStart);
        Path dir = options.out();
        Files.writeString(dir.resolve("bench.json"), new JsonObject(report.toMap()).encodePrettily() + "\n",
                StandardCharsets.UTF_8);
        Plots.throughput(samples, title + ": throughput over time", dir.resolve("throughput.png"));
        Map<String, Histogram> hops = new LinkedHashMap<>();
        if (half != null && half.probe() != null) {
            hops.put("publish -> PUBACK", half.probe().puback.histogram());
            hops.put("publish -> Kafka", half.probe().kafka.histogram());
            hops.put("publish -> alert", half.probe().alert.histogram());
            hops.put("publish -> queryable in InfluxDB", half.probe().queryable.histogram());
        }
        Plots.latency(hops, String.format(Locale.ROOT, "%s: latency at half the sustained rate (%,.0f readings/s)",
                title, half == null ? 0 : half.offered()), dir.resolve("latency.png"));
        out.println("RESULT " + new JsonObject(report.headline()).encode());
        out.println("Wrote " + dir.resolve("bench.json") + ", throughput.png, latency.png and logs/");
        return report;
    }

    static String now() {
        return Instant.now().toString();
    }
}
