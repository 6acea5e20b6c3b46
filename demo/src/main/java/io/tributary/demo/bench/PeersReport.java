package io.tributary.demo.bench;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code peers.json}: each stack's figures per round (taken from its {@code bench.json}), their spread over the
 * rounds, and the faults. A figure that was not measured is null.
 */
record PeersReport(PeersBench.Plan plan, List<Map<String, Object>> runs, Map<String, Object> faults,
        Map<String, Object> versions, String loadAtStart) {

    /** Components whose CPU is not the stack's own: the load generator and this benchmark. */
    private static final List<String> NOT_THE_STACK = List.of("simulator", PipelineBench.BENCH_COMPONENT);

    PeersReport {
        runs = List.copyOf(runs);
    }

    /** One stack's run, from its bench.json: throughput, CPU per reading per component, latency, loss. */
    static Map<String, Object> figures(int round, String stack, JsonObject bench) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round", round);
        m.put("stack", stack);
        Double rate = number(bench, "readings_per_s");
        Double seconds = number(bench, "sustained_seconds");
        m.put("readings_per_s", rate);
        m.put("sustained", bench.getValue("sustained"));
        m.put("lost_readings", bench.getValue("lost_readings"));
        JsonObject cpu = bench.getJsonObject("cpu_seconds");
        Map<String, Object> perComponent = new LinkedHashMap<>();
        double stackCpu = 0;
        if (cpu != null && rate != null && seconds != null && rate > 0 && seconds > 0) {
            for (String component : cpu.fieldNames()) {
                double s = cpu.getDouble(component, 0.0);
                perComponent.put(component, BenchReport.round2(s * 1e6 / (rate * seconds)));
                if (NOT_THE_STACK.stream().noneMatch(component::startsWith)) {
                    stackCpu += s;
                }
            }
            m.put("cpu_us_per_reading", perComponent);
            m.put("stack_cpu_us_per_reading", BenchReport.round2(stackCpu * 1e6 / (rate * seconds)));
            m.put("readings_per_stack_cpu_second", stackCpu > 0 ? BenchReport.round(rate * seconds / stackCpu) : null);
        } else {
            m.put("cpu_us_per_reading", null);
            m.put("stack_cpu_us_per_reading", null);
            m.put("readings_per_stack_cpu_second", null);
        }
        JsonObject half = bench.getJsonObject("latency_ms", new JsonObject()).getJsonObject("half_rate");
        JsonObject queryable = half == null ? null : half.getJsonObject("publish_to_queryable");
        JsonObject puback = half == null ? null : half.getJsonObject("publish_to_puback");
        m.put("half_rate_readings_per_s", half == null ? null : half.getValue("offered_readings_per_s"));
        m.put("publish_to_queryable_p50_ms", queryable == null ? null : queryable.getValue("p50"));
        m.put("publish_to_queryable_p99_ms", queryable == null ? null : queryable.getValue("p99"));
        m.put("publish_to_puback_p50_ms", puback == null ? null : puback.getValue("p50"));
        m.put("publish_to_puback_p99_ms", puback == null ? null : puback.getValue("p99"));
        return m;
    }

    private static Double number(JsonObject json, String key) {
        return json.getValue(key) instanceof Number n ? n.doubleValue() : null;
    }

    /** True when every run sustained a rate and every fault was injected. */
    boolean complete() {
        return runs.stream().allMatch(r -> Boolean.TRUE.equals(r.get("sustained")))
                && faults.values().stream().allMatch(byFault -> byFault instanceof Map<?, ?> m && m.values().stream()
                        .allMatch(f -> f instanceof Map<?, ?> fm && fm.get("injection_failed") == null));
    }

    /** A figure of one stack over the rounds: min, median, max (null if no round measured it). */
    Map<String, Object> spread(String stack, String figure) {
        List<Double> values = values(stack, figure);
        if (values.isEmpty()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min", values.get(0));
        m.put("median", median(stack, figure));
        m.put("max", values.get(values.size() - 1));
        m.put("rounds", values);
        return m;
    }

    /** The median over the rounds (of an even number: the mean of the two middle values), or NaN. */
    double median(String stack, String figure) {
        List<Double> values = values(stack, figure);
        int n = values.size();
        return n == 0 ? Double.NaN : (values.get((n - 1) / 2) + values.get(n / 2)) / 2;
    }

    /** The figure's values over the rounds, ascending. */
    private List<Double> values(String stack, String figure) {
        return runs.stream().filter(run -> stack.equals(run.get("stack")))
                .map(run -> run.get(figure) instanceof Number n ? n.doubleValue() : null)
                .filter(Objects::nonNull).sorted().toList();
    }

    /** The figures of {@code fault} on {@code stack}: acknowledged and lost (null if not run). */
    Long lost(String stack, String fault) {
        if (faults.get(stack) instanceof Map<?, ?> byFault && byFault.get(fault) instanceof Map<?, ?> m
                && m.get("acknowledged_and_lost") instanceof Number n) {
            return n.longValue();
        }
        return null;
    }

    /** Every fault name run on any stack, in order. */
    List<String> faultNames() {
        return faults.values().stream().filter(byFault -> byFault instanceof Map<?, ?>)
                .flatMap(byFault -> ((Map<?, ?>) byFault).keySet().stream()).map(Object::toString).distinct().toList();
    }

    static final List<String> COMPARED = List.of("readings_per_s", "stack_cpu_us_per_reading",
            "readings_per_stack_cpu_second", "publish_to_queryable_p50_ms", "publish_to_queryable_p99_ms",
            "lost_readings");

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> summary = new LinkedHashMap<>();
        for (String stack : List.of(PeersBench.TRIBUTARY, PeersBench.PEER)) {
            Map<String, Object> s = new LinkedHashMap<>();
            COMPARED.forEach(figure -> s.put(figure, spread(stack, figure)));
            summary.put(stack, s);
        }
        m.put("summary", summary);
        m.put("runs", runs);
        m.put("faults", faults);
        m.put("versions", versions);
        Map<String, Object> conditions = new LinkedHashMap<>();
        conditions.put("date", PipelineBench.now());
        conditions.put("cores", Runtime.getRuntime().availableProcessors());
        conditions.put("load_average_at_start", loadAtStart);
        conditions.put("devices", plan.tributary().devices());
        conditions.put("readings_per_batch", BenchOptions.READINGS_PER_BATCH);
        conditions.put("rounds", plan.rounds());
        conditions.put("step_seconds", plan.tributary().stepDuration().toSeconds());
        conditions.put("sustained_seconds", plan.tributary().duration().toSeconds());
        conditions.put("half_rate_seconds", plan.tributary().halfDuration().toSeconds());
        conditions.put("tributary_rates", plan.tributary().rates());
        conditions.put("peer_rates", plan.peer().rates());
        conditions.put("fault_readings_per_s", plan.faultRate());
        conditions.put("fault_phase_seconds", plan.faultDuration().toSeconds());
        conditions.put("stack_cpu", "every component's CPU but the simulator's and this benchmark's");
        conditions.put("peer", "Mosquitto (Debian defaults, anonymous) -> Node-RED (deploy/peers/flows.json: MQTT in "
                + "QoS 1 persistent session, protobufjs decode, join 500 messages or 1 s, influxdb batch) -> influxd");
        m.put("conditions", conditions);
        return m;
    }

    /** The comparison as a Markdown table (medians over the rounds), for the console and docs/performance.md. */
    String table() {
        StringBuilder t = new StringBuilder("| figure (median of " + plan.rounds() + " round(s)) | Tributary | "
                + "Mosquitto → Node-RED → InfluxDB |\n|---|---:|---:|\n");
        for (String figure : COMPARED) {
            t.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", figure,
                    format(median(PeersBench.TRIBUTARY, figure)), format(median(PeersBench.PEER, figure))));
        }
        for (String fault : faultNames()) {
            t.append(String.format(Locale.ROOT, "| acknowledged and lost: %s | %s | %s |%n", fault,
                    lost(PeersBench.TRIBUTARY, fault) == null ? "n/a" : lost(PeersBench.TRIBUTARY, fault),
                    lost(PeersBench.PEER, fault) == null ? "n/a" : lost(PeersBench.PEER, fault)));
        }
        return t.toString();
    }

    private static String format(double value) {
        return Double.isNaN(value) ? "not measured" : String.format(Locale.ROOT, "%,.1f", value);
    }
}
