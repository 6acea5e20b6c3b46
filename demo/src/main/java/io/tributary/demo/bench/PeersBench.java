package io.tributary.demo.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench peers}: the same fleet through Tributary ({@link PipelineBench}, unchanged) and through the peer stack
 * ({@link PeerStack}) behind the same phases, sustainability rule and report, each stack alone on the machine, in
 * alternating order over the rounds; then the same faults on each. Writes {@code peers.json} and {@code peers.png}.
 * {@code loadAtStart}: {@code /proc/loadavg} before the first run.
 */
record PeersBench(Plan plan, Path out, PrintStream console, String loadAtStart) {

    static final String TRIBUTARY = "tributary";
    static final String PEER = "peer";
    static final String PEER_TITLE = "Mosquitto -> Node-RED -> InfluxDB";

    /** The run: each stack's options (they differ only in rates and output), rounds, the fault phases. */
    record Plan(BenchOptions tributary, BenchOptions peer, int rounds, double faultRate, Duration faultDuration,
            boolean faults) {
    }

    /** Runs everything; 0 when every run finished with figures, 1 otherwise. */
    int run() throws IOException, InterruptedException {
        Files.createDirectories(out);
        List<Map<String, Object>> runs = new ArrayList<>();
        Map<String, Object> versions = new LinkedHashMap<>();
        for (int round = 1; round <= plan.rounds(); round++) {
            List<String> order = round % 2 == 1 ? List.of(TRIBUTARY, PEER) : List.of(PEER, TRIBUTARY);
            for (String stack : order) {
                console.printf(Locale.ROOT, "== round %d: %s ==%n", round, stack);
                Path dir = out.resolve("round-" + round + "-" + stack);
                JsonObject bench = TRIBUTARY.equals(stack) ? tributary(dir) : peer(dir, versions);
                runs.add(PeersReport.figures(round, stack, bench));
            }
        }
        Map<String, Object> faults = new LinkedHashMap<>();
        if (plan.faults()) {
            // The stack that went second in the last round goes first here: the order keeps alternating.
            boolean peerFirst = plan.rounds() % 2 == 1;
            for (String stack : peerFirst ? List.of(PEER, TRIBUTARY) : List.of(TRIBUTARY, PEER)) {
                console.printf(Locale.ROOT, "== faults: %s at %,.0f readings/s ==%n", stack, plan.faultRate());
                Path dir = out.resolve("faults-" + stack);
                faults.put(stack, TRIBUTARY.equals(stack) ? tributaryFaults(dir) : peerFaults(dir, versions));
            }
        }
        versions.put(TRIBUTARY, "this checkout (" + gitHead() + ")");
        PeersReport report = new PeersReport(plan, runs, faults, versions, loadAtStart);
        Files.writeString(out.resolve("peers.json"), new JsonObject(report.toMap()).encodePrettily() + "\n");
        PeersPlot.draw(report, out.resolve("peers.png"));
        console.println(report.table());
        console.println("Wrote " + out.resolve("peers.json") + " and " + out.resolve("peers.png"));
        return report.complete() ? 0 : 1;
    }

    /** Tributary exactly as {@code ./tributary bench} runs it; its bench.json. */
    private JsonObject tributary(Path dir) throws IOException, InterruptedException {
        new PipelineBench(with(plan.tributary(), dir), console).run();
        return new JsonObject(Files.readString(dir.resolve("bench.json")));
    }

    /** The peer behind the same phases: steps, sustained (verified), half rate with the probe; its bench.json. */
    private JsonObject peer(Path dir, Map<String, Object> versions) throws IOException, InterruptedException {
        BenchOptions options = with(plan.peer(), dir);
        CpuAccount cpu = new CpuAccount();
        cpu.register(PipelineBench.BENCH_COMPONENT, ProcessHandle.current().pid());
        try (PeerStack peer = new PeerStack(options.root(), dir, cpu);
                StackSampler sampler = new StackSampler(peer, cpu, System.nanoTime())) {
            peer.start(console);
            versions.put(PEER, peer.versions());
            sampler.start();
            PhaseRunner phases = phases(options, peer, sampler, new Probe.Target(peer.mqttUri(), null, null, null,
                    peer.influxUrl(), PeerStack.DATABASE), "p");
            return new JsonObject(PipelineBench.measure(options, phases, sampler, null, loadAtStart, PEER_TITLE,
                    console).toMap());
        }
    }

    private Map<String, Object> tributaryFaults(Path dir) throws IOException, InterruptedException {
        BenchOptions options = with(plan.tributary(), dir);
        Files.createDirectories(dir);
        CpuAccount cpu = new CpuAccount();
        try (BenchPipeline pipeline = new BenchPipeline(options, dir, cpu, false)) {
            pipeline.start(console);
            return faults(options, pipeline, cpu, Faults.tributary(pipeline), "tf");
        }
    }

    private Map<String, Object> peerFaults(Path dir, Map<String, Object> versions)
            throws IOException, InterruptedException {
        BenchOptions options = with(plan.peer(), dir);
        CpuAccount cpu = new CpuAccount();
        try (PeerStack peer = new PeerStack(options.root(), dir, cpu)) {
            peer.start(console);
            versions.putIfAbsent(PEER, peer.versions());
            return faults(options, peer, cpu, Faults.peer(peer), "pf");
        }
    }

    private Map<String, Object> faults(BenchOptions options, BenchStack stack, CpuAccount cpu,
            List<Faults.Fault> faults, String name) throws InterruptedException {
        try (StackSampler sampler = new StackSampler(stack, cpu, System.nanoTime())) {
            sampler.start();
            return Faults.run(faults, phases(options, stack, sampler, null, name), sampler, plan.faultRate(),
                    plan.faultDuration(), console);
        }
    }

    private PhaseRunner phases(BenchOptions options, BenchStack stack, StackSampler sampler, Probe.Target probe,
            String name) {
        String runId = Long.toHexString(System.currentTimeMillis() & 0xffffffL) + "-" + name;
        return new PhaseRunner(options, stack, sampler, probe, null, runId, console, null);
    }

    private static BenchOptions with(BenchOptions o, Path dir) {
        return new BenchOptions(o.root(), dir, o.devices(), o.duration(), o.stepDuration(), o.warmup(), o.rates(),
                o.halfDuration(), o.partitions(), o.probeInterval(), o.refinements(), o.kafkaConfig());
    }

    private String gitHead() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
                    .directory(plan.tributary().root().toFile()).start();
            String head = new String(git.getInputStream().readAllBytes()).strip();
            return git.waitFor() == 0 && !head.isEmpty() ? head : "unknown commit";
        } catch (IOException e) {
            return "unknown commit";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown commit";
        }
    }
}
