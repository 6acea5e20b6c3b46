package io.tributary.demo.hostile;

import io.tributary.cli.DurationConverter;
import io.tributary.demo.hostile.HostileRun.Attack;
import io.tributary.demo.hostile.HostileRun.Phase;
import io.tributary.demo.Cli;
import io.tributary.demo.measure.LatencySummary;
import io.tributary.simulator.verify.VerificationReport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tributary bench hostile --out DIR}: the goals of issue 17 measured, not asserted. The same pipeline, honest
 * fleet and attacks as {@code HostileDevicesIT}, but each attack alone, between a baseline at the start and one at
 * the end of the same run; writes {@code DIR/hostile.json} with, per phase, the honest fleet's PUBACK and CONNACK
 * percentiles and the attackers' answers, and the goals: PUBACK p50 under the QoS 0 / quota / slow-reader attacks
 * against the baseline p50 (goal ≤ 2×), honest CONNACK p99 under the wrong-password flood (goal ≤ 1 s), gateway CPU
 * seconds per 1,000 refused CONNECTs, honest readings lost (goal 0).
 */
@Command(name = "bench hostile", mixinStandardHelpOptions = true,
        description = "Runs every attack of the hostile-device suite alone against the real gateway and processor "
                + "(each its own process) while an honest simulated fleet publishes, and measures the fleet's PUBACK "
                + "and CONNACK times per attack against a baseline of the same run. Writes DIR/hostile.json and "
                + "DIR/logs/. Exit status 0 when no honest reading was lost.")
public final class HostileBench implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "target/hostile-bench",
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--devices", defaultValue = "50",
            description = "Honest devices (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--batch-interval", defaultValue = "500ms", converter = DurationConverter.class,
            description = "Each honest device publishes a batch of 2 sensors x 5 readings this often"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration batchInterval;

    @Option(names = "--attack-duration", defaultValue = "15s", converter = DurationConverter.class,
            description = "How long each flooding attack lasts (default: ${DEFAULT-VALUE}).")
    Duration attackDuration;

    @Option(names = "--baseline", defaultValue = "20s", converter = DurationConverter.class,
            description = "Each of the two baselines without attacks (default: ${DEFAULT-VALUE}).")
    Duration baseline;

    @Option(names = "--root", defaultValue = ".", hidden = true,
            description = "The project directory holding the built jars.")
    Path root;

    public static void main(String[] args) {
        Cli.benchMain("bench hostile", new HostileBench(), args, "logs/bench.log");
    }

    @Override
    public Integer call() throws Exception {
        if (devices < 1) {
            throw Cli.usage(this, "--devices must be at least 1");
        }
        Path dir = out.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Duration attack = attackDuration;
        try (HostileRun run = HostileRun.start(root.toAbsolutePath().normalize(), dir.resolve("logs"), devices,
                batchInterval)) {
            System.out.println("Pipeline up, " + devices + " honest devices publishing; baseline ...");
            // JIT and connection warm-up first: a baseline measured cold would flatter every attack after it.
            run.quiet("warm-up", Duration.ofSeconds(15));
            Phase first = run.quiet("baseline", baseline);
            run.phase("input contract", Duration.ofSeconds(5), List.<Attack>of(a -> a.input().hugeValues(),
                    a -> a.input().contractAtTheDoor(), a -> a.input().poisonInKafka(),
                    a -> a.input().tooManySensors(1_000)));
            run.phase("fuzzed frames", Duration.ofSeconds(5), List.<Attack>of(a -> a.frames().fuzz(300, 17)));
            Phase flood = run.phase("wrong-password flood", attack, List.<Attack>of(
                    a -> a.login().wrongPasswordFlood(attack, 4)));
            run.phase("clones", Duration.ofSeconds(5), List.<Attack>of(a -> a.login().clones(50)));
            Phase quota = run.phase("publish quota", attack, List.<Attack>of(a -> a.floods().publishQuota(attack)));
            Phase qos0 = run.phase("qos0 flood", attack, List.<Attack>of(a -> a.floods().qos0Flood(attack)));
            Phase slow = run.phase("slow reader", attack, List.<Attack>of(a -> a.floods().slowReader(attack)));
            Phase silent = run.phase("silent connections", attack, List.<Attack>of(
                    a -> a.floods().silentConnections(1_200, HostileCluster.CONNECT_TIMEOUT.plusSeconds(4))));
            run.phase("influx outage", Duration.ZERO, List.<Attack>of(
                    a -> a.influx().influxRefusesEverything(attack)));
            run.phase("registry iterations", Duration.ofSeconds(5), List.<Attack>of(
                    a -> a.login().registryIterations()));
            Phase last = run.quiet("baseline again", baseline);
            System.out.println("Verifying the honest fleet's readings in InfluxDB ...");
            VerificationReport ledger = run.stopFleetAndVerify(Duration.ofSeconds(180));

            Histogram both = first.puback().copy();
            both.add(last.puback());
            // The stricter reference: the faster of the two baselines.
            Phase reference = last.pubackMillis(50) < first.pubackMillis(50) ? last : first;
            JsonArray phases = new JsonArray(run.phases().stream().map(phase -> phaseJson(phase, reference)).toList());
            AttackResult floodResult = flood.attack("wrong-password");
            JsonObject goals = new JsonObject()
                    .put("honest_puback_p50_ms_baseline", round(first.pubackMillis(50)))
                    .put("honest_puback_p50_ms_baseline_again", round(last.pubackMillis(50)))
                    .put("honest_puback_p50_vs_baseline", new JsonObject()
                            .put("reference", reference.name())
                            .put("publish quota", ratio(quota, reference))
                            .put("qos0 flood", ratio(qos0, reference))
                            .put("slow reader", ratio(slow, reference))
                            .put("silent connections", ratio(silent, reference))
                            .put("goal", "<= 2 for publish quota, qos0 flood, slow reader"))
                    .put("honest_connack_p99_ms_during_flood", round(flood.connackMillis(99)))
                    .put("honest_connects_refused_during_flood", flood.failedConnects())
                    .put("honest_connack_goal_ms", 1000)
                    .put("flood_connects_per_s", floodResult.fact("connects_per_s"))
                    .put("gateway_cpu_seconds_per_1000_refused_connects",
                            floodResult.fact("gateway_cpu_seconds_per_1000_refused"))
                    .put("honest_readings_acknowledged", ledger.publishedReadings())
                    .put("honest_readings_lost", ledger.lostReadings())
                    .put("honest_readings_lost_goal", 0);
            JsonObject json = new JsonObject()
                    .put("honest_devices", devices)
                    .put("batch_interval_ms", batchInterval.toMillis())
                    .put("attack_duration_s", attack.toSeconds())
                    .put("load_at_end", Files.readString(Path.of("/proc/loadavg")).strip())
                    .put("goals", goals)
                    .put("honest_puback_ms_both_baselines", histogram(both))
                    .put("ledger", new JsonObject(Map.of("published", ledger.publishedReadings(),
                            "stored", ledger.storedReadings(), "lost", ledger.lostReadings(),
                            "unexplained_extra", ledger.unexplainedExtra())))
                    .put("services_never_restarted", run.cluster().servicesNeverRestarted())
                    .put("gateway_peak_heap_mb", run.cluster().watchdog().peakGatewayHeapBytes() / 1048576.0)
                    .put("phases", phases);
            Files.writeString(dir.resolve("hostile.json"), json.encodePrettily() + "\n", StandardCharsets.UTF_8);
            System.out.println(table(run.phases(), reference));
            System.out.println("RESULT " + goals.encode());
            System.out.println("Wrote " + dir.resolve("hostile.json") + " and logs/");
            return ledger.lostReadings() == 0 ? 0 : 1;
        }
    }

    private static Double ratio(Phase phase, Phase baseline) {
        return round(phase.pubackMillis(50) / baseline.pubackMillis(50));
    }

    /** Phase | attacks and what they got | honest PUBACK p50 / p99 (× baseline p50) | CONNACK p99 | failed connects. */
    public static String table(List<Phase> phases, Phase baseline) {
        StringBuilder out = new StringBuilder();
        out.append("| phase | attack: what the attacker got | honest PUBACK p50 / p99 ms (p50 vs baseline)"
                + " | honest CONNACK p99 ms | honest connects refused | gateway CPU-s |\n");
        out.append("|---|---|---|---|---|---|\n");
        double base = baseline.pubackMillis(50);
        for (Phase phase : phases) {
            String attacks = phase.attacks().stream().map(a -> a.name() + ": " + a.answers() + " " + a.facts())
                    .collect(Collectors.joining("<br>"));
            out.append(String.format(Locale.ROOT, "| %s | %s | %.1f / %.1f (%.2f×, n=%d) | %.1f | %d | %.1f |%n",
                    phase.name(), attacks.isEmpty() ? "none (baseline)" : attacks, phase.pubackMillis(50),
                    phase.pubackMillis(99), phase.pubackMillis(50) / base, phase.puback().getTotalCount(),
                    phase.connackMillis(99), phase.failedConnects(), phase.gatewayCpuSeconds()));
        }
        return out.toString();
    }

    /** One phase as JSON: attacks with their answers and facts, the honest fleet's figures, the ratio to baseline. */
    public static JsonObject phaseJson(Phase phase, Phase baseline) {
        JsonArray attacks = new JsonArray(phase.attacks().stream().map(attack -> new JsonObject()
                .put("attack", attack.name()).put("started", attack.started().toString())
                .put("ended", attack.ended() == null ? null : attack.ended().toString())
                .put("answers", new JsonObject(Map.copyOf(attack.answers())))
                .put("facts", new JsonObject(jsonSafe(attack.facts())))).toList());
        return new JsonObject().put("phase", phase.name()).put("started", phase.started().toString())
                .put("ended", phase.ended().toString()).put("attacks", attacks)
                .put("honest_puback_ms", histogram(phase.puback()))
                .put("honest_puback_p50_vs_baseline", ratio(phase, baseline))
                .put("honest_connack_ms", histogram(phase.connack()))
                .put("honest_connects_refused", phase.failedConnects())
                .put("gateway_cpu_seconds", round(phase.gatewayCpuSeconds()));
    }

    /** {@code count}, p50/p90/p99/max in ms (2 decimals); {@code {"count": 0}} without samples. */
    private static JsonObject histogram(Histogram microseconds) {
        Map<String, Object> summary = LatencySummary.summary(microseconds, 2);
        return summary == null ? new JsonObject().put("count", 0) : new JsonObject(summary);
    }

    private static Map<String, Object> jsonSafe(Map<String, Object> facts) {
        Map<String, Object> safe = new java.util.TreeMap<>();
        facts.forEach((key, value) -> safe.put(key, value instanceof Double d ? round(d) : value)); // NaN: null
        return safe;
    }

    private static Double round(double value) {
        return LatencySummary.round(value, 2);
    }
}
