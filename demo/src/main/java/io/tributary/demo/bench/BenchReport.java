package io.tributary.demo.bench;

import io.tributary.demo.measure.LatencySummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's figures as a JSON-ready map (bench.json). A figure that was not measured is null, never a number
 * made up to fill the slot.
 */
record BenchReport(BenchOptions options, List<PhaseResult> steps, PhaseResult sustained, PhaseResult half,
        List<Sample> samples, String loadAtStart) {

    BenchReport {
        steps = List.copyOf(steps);
        samples = List.copyOf(samples);
    }

    /** True when a rate was sustained for the whole sustained phase and the verification found nothing lost. */
    boolean passed() {
        return sustained != null && sustained.verdict().sustainable() && sustained.simulator() != null
                && sustained.simulator().lostReadings() != null && sustained.simulator().lostReadings() == 0;
    }

    /** The few figures a person looks at first. */
    Map<String, Object> headline() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> full = toMap();
        for (String key : List.of("readings_per_s", "msgs_per_s", "sustained", "lost_readings",
                "cpu_us_per_reading")) {
            m.put(key, full.get(key));
        }
        Object latency = full.get("latency_ms");
        if (latency instanceof Map<?, ?> byPhase && byPhase.get("half_rate") instanceof Map<?, ?> halfRate
                && halfRate.get("publish_to_queryable") instanceof Map<?, ?> queryable) {
            m.put("half_rate_publish_to_queryable_p99_ms", queryable.get("p99"));
        } else {
            m.put("half_rate_publish_to_queryable_p99_ms", null);
        }
        return m;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Sustainability.Verdict v = sustained == null ? null : sustained.verdict();
        double window = sustained == null ? Double.NaN : sustained.to() - sustained.from() - warmupSeconds();
        m.put("readings_per_s", v == null ? null : round(v.achievedReadingsPerS()));
        m.put("msgs_per_s", v == null ? null : round(v.messagesPerS()));
        m.put("stored_readings_per_s", v == null ? null : round(v.storedReadingsPerS()));
        m.put("offered_readings_per_s", sustained == null ? null : round(sustained.offered()));
        m.put("sustained", v == null ? null : v.sustainable());
        m.put("sustained_reason", v == null ? "no step was sustainable" : v.reason());
        m.put("sustained_seconds", sustained == null ? null : round(window));
        SimulatorSummary sim = sustained == null ? null : sustained.simulator();
        m.put("published_readings", sim == null ? null : sim.publishedReadings());
        m.put("stored_readings", sim == null ? null : sim.storedReadings());
        m.put("lost_readings", sim == null ? null : sim.lostReadings());
        m.put("acked_readings_per_s", sim == null || sim.ackedReadingsPerS() == null ? null
                : round(sim.ackedReadingsPerS()));

        Map<String, Double> cpuSeconds = sustained == null ? Map.of() : cpuSeconds(sustained);
        Map<String, Object> cpu = new LinkedHashMap<>();
        Map<String, Object> cores = new LinkedHashMap<>();
        double pipelineCpu = 0;
        for (Map.Entry<String, Double> e : cpuSeconds.entrySet()) {
            cpu.put(e.getKey(), round2(e.getValue()));
            cores.put(e.getKey(), round2(e.getValue() / window));
            if (!e.getKey().startsWith(PipelineBench.BENCH_COMPONENT)) {
                pipelineCpu += e.getValue();
            }
        }
        m.put("cpu_seconds", sustained == null ? null : cpu);
        m.put("cpu_cores", sustained == null ? null : cores);
        // The pipeline's parts, simulator included; not this benchmark's own sampler and probe.
        m.put("cpu_us_per_reading", v == null || v.achievedReadingsPerS() <= 0 ? null
                : round2(pipelineCpu * 1e6 / (v.achievedReadingsPerS() * window)));

        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("half_rate", latency(half));
        latency.put("sustained_rate", latency(sustained));
        m.put("latency_ms", latency);

        List<Map<String, Object>> stepList = new ArrayList<>();
        for (PhaseResult step : steps) {
            Map<String, Object> s = new LinkedHashMap<>();
            Sustainability.Verdict sv = step.verdict();
            s.put("offered_readings_per_s", round(step.offered()));
            s.put("accepted_readings_per_s", round(sv.achievedReadingsPerS()));
            s.put("accepted_msgs_per_s", round(sv.messagesPerS()));
            s.put("stored_readings_per_s", round(sv.storedReadingsPerS()));
            s.put("backlog_slope_records_per_s", round(sv.backlogSlope()));
            s.put("final_backlog_records", round(sv.finalBacklog()));
            s.put("sustainable", sv.sustainable());
            s.put("reason", sv.reason());
            Map<String, Object> stepCpu = new LinkedHashMap<>();
            cpuSeconds(step).forEach((k, value) -> stepCpu.put(k, round2(value)));
            s.put("cpu_seconds", stepCpu);
            stepList.add(s);
        }
        m.put("steps", stepList);

        Map<String, Object> conditions = new LinkedHashMap<>();
        conditions.put("date", PipelineBench.now());
        conditions.put("cores", Runtime.getRuntime().availableProcessors());
        conditions.put("load_average_at_start", loadAtStart);
        conditions.put("devices", options.devices());
        conditions.put("labels", options.labels());
        conditions.put("processor_settings", options.processorSettings());
        conditions.put("readings_per_batch", BenchOptions.READINGS_PER_BATCH);
        conditions.put("step_seconds", options.stepDuration().toSeconds());
        conditions.put("warmup_seconds", warmupSeconds());
        conditions.put("duration_seconds", options.duration().toSeconds());
        conditions.put("half_rate_seconds", options.halfDuration().toSeconds());
        conditions.put("partitions", options.partitions());
        conditions.put("gateway_authentication",
                "registry (each simulator provisions its devices; the probe is provisioned)");
        conditions.put("alert_rules", "demo/src/main/resources/demo-rules.yaml");
        conditions.put("processes", (options.brokers() > 1 || options.secure()
                ? "local stack (v2-write endpoint in its JVM; Kafka broker processes and influxd its children)"
                : "local stack (Kafka in its JVM + v2-write endpoint; influxd its child)") + ", gateway, "
                + "processor, simulator (one per phase), this benchmark JVM (sampler, probe)");
        conditions.put("kafka", options.kafkaConfig() != null ? "--kafka-config " + options.kafkaConfig()
                : options.brokers() + " broker(s)" + (options.secure() ? ", TLS + SCRAM, ACLs, a role per part"
                        : ", plaintext"));
        m.put("conditions", conditions);
        m.put("samples", samples.size());
        return m;
    }

    private double warmupSeconds() {
        return options.warmup().toMillis() / 1000.0;
    }

    /** CPU seconds per component over the measured part of a phase (after its warm-up, until publishing ended). */
    private Map<String, Double> cpuSeconds(PhaseResult phase) {
        double from = phase.from() + warmupSeconds();
        Sample first = null;
        Sample last = null;
        for (Sample s : samples) {
            if (s.t() >= from && s.t() <= phase.to()) {
                if (first == null) {
                    first = s;
                }
                last = s;
            }
        }
        Map<String, Double> delta = new LinkedHashMap<>();
        if (first == null || last == first) {
            return delta;
        }
        for (Map.Entry<String, Double> e : last.cpuSeconds().entrySet()) {
            double before = first.cpuSeconds().getOrDefault(e.getKey(), 0.0);
            delta.put(e.getKey(), e.getValue() - before);
        }
        return delta;
    }

    private static Map<String, Object> latency(PhaseResult phase) {
        if (phase == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("offered_readings_per_s", round(phase.offered()));
        Probe probe = phase.probe();
        m.put("publish_to_puback_fleet", phase.simulator() == null ? null : phase.simulator().pubackMs());
        m.put("publish_to_puback", probe == null ? null : LatencySummary.summary(probe.puback.histogram(), 1));
        m.put("publish_to_kafka", probe == null ? null : LatencySummary.summary(probe.kafka.histogram(), 1));
        m.put("publish_to_alert", probe == null ? null : LatencySummary.summary(probe.alert.histogram(), 1));
        m.put("publish_to_queryable", probe == null ? null : LatencySummary.summary(probe.queryable.histogram(), 1));
        m.put("probe_readings_sent", probe == null ? null : probe.sent());
        if (probe != null) {
            Map<String, Object> missed = new LinkedHashMap<>();
            missed.put("puback", probe.puback.missed());
            missed.put("kafka", probe.kafka.missed());
            missed.put("alert", probe.alert.missed());
            missed.put("queryable", probe.queryable.missed());
            m.put("probe_missed", missed);
        }
        return m;
    }

    /** Whole numbers for rates and counts; null for NaN (JSON has no NaN). */
    static Long round(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? null : Math.round(value);
    }

    static Double round2(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? null : Math.round(value * 100) / 100.0;
    }
}
