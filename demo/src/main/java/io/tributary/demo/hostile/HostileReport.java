package io.tributary.demo.hostile;

import io.tributary.demo.hostile.HostileRun.Phase;
import io.tributary.demo.measure.LatencySummary;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The hostile run as text (a table per phase) and as {@code hostile.json}. */
public final class HostileReport {

    private HostileReport() {
    }

    /** Phase | attacks and what they got | honest PUBACK p50 / p99 (× baseline p50) | CONNACK p99 | failed connects. */
    public static String table(List<Phase> phases, Phase baseline) {
        StringBuilder out = new StringBuilder();
        out.append("| phase | attack: what the attacker got | honest PUBACK p50 / p99 ms (p50 vs baseline)"
                + " | honest CONNACK p99 ms | honest connects refused | gateway CPU-s |\n");
        out.append("|---|---|---|---|---|---|\n");
        double base = baseline.pubackMillis(50);
        for (Phase phase : phases) {
            StringBuilder attacks = new StringBuilder();
            for (AttackResult attack : phase.attacks()) {
                if (attacks.length() > 0) {
                    attacks.append("<br>");
                }
                attacks.append(attack.name()).append(": ").append(attack.answers()).append(' ')
                        .append(attack.facts());
            }
            out.append(String.format(Locale.ROOT, "| %s | %s | %.1f / %.1f (%.2f×, n=%d) | %.1f | %d | %.1f |%n",
                    phase.name(), attacks.length() == 0 ? "none (baseline)" : attacks, phase.pubackMillis(50),
                    phase.pubackMillis(99), phase.pubackMillis(50) / base, phase.puback().getTotalCount(),
                    phase.connackMillis(99), phase.failedConnects(), phase.gatewayCpuSeconds()));
        }
        return out.toString();
    }

    /** One phase as JSON: attacks with their answers and facts, the honest fleet's figures, the ratio to baseline. */
    public static JsonObject phaseJson(Phase phase, Phase baseline) {
        JsonArray attacks = new JsonArray();
        for (AttackResult attack : phase.attacks()) {
            attacks.add(new JsonObject().put("attack", attack.name())
                    .put("started", attack.started().toString())
                    .put("ended", attack.ended() == null ? null : attack.ended().toString())
                    .put("answers", new JsonObject(Map.copyOf(attack.answers())))
                    .put("facts", new JsonObject(jsonSafe(attack.facts()))));
        }
        double base = baseline.pubackMillis(50);
        return new JsonObject().put("phase", phase.name()).put("started", phase.started().toString())
                .put("ended", phase.ended().toString()).put("attacks", attacks)
                .put("honest_puback_ms", histogram(phase.puback()))
                .put("honest_puback_p50_vs_baseline", round(phase.pubackMillis(50) / base))
                .put("honest_connack_ms", histogram(phase.connack()))
                .put("honest_connects_refused", phase.failedConnects())
                .put("gateway_cpu_seconds", round(phase.gatewayCpuSeconds()));
    }

    /** {@code count}, p50/p90/p99/max in ms (2 decimals); {@code {"count": 0}} without samples. */
    static JsonObject histogram(Histogram microseconds) {
        Map<String, Object> summary = LatencySummary.summary(microseconds, 2);
        return summary == null ? new JsonObject().put("count", 0) : new JsonObject(summary);
    }

    private static Map<String, Object> jsonSafe(Map<String, Object> facts) {
        Map<String, Object> safe = new java.util.TreeMap<>();
        facts.forEach((key, value) -> safe.put(key, value instanceof Double d && !Double.isFinite(d) ? null
                : value instanceof Double d ? round(d) : value));
        return safe;
    }

    static Double round(double value) {
        return LatencySummary.round(value, 2);
    }
}
