package io.tributary.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.contract.ContractRule;
import io.tributary.contract.registry.CredentialRules;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.RejectReason;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.Producer;
import java.util.stream.Collectors;

/**
 * {@link GatewayMetrics} on a Micrometer {@link PrometheusMeterRegistry}, and everything else one gateway's
 * {@code /metrics} shows (readiness, limit, JVM, process, Kafka producer): the names, labels and types there are those
 * the pipeline-health dashboard queries ({@code deploy/grafana}).
 *
 * <p>The hot path touches only meters registered once: every counter and labelled counter sits in an {@link EnumMap},
 * so recording is one adder increment and no tag lookup. Gauges read {@link LongAdder}s at scrape time.
 */
public final class MicrometerGatewayMetrics implements GatewayMetrics, AutoCloseable {

    private static final String P = "tributary.gateway.";

    /** Upper bounds of the Kafka send latency histogram buckets (the last bucket is +Inf). */
    private static final double[] LATENCY_BUCKETS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25, 0.5, 1, 2.5, 5, 10, 30};

    private static final Pattern WHOLE_NUMBER = Pattern.compile("(?m)^([^#\\n][^\\n]* -?[0-9]+)\\.0$");

    private final PrometheusMeterRegistry registry;
    private final Map<Counted, Counter> counters = new EnumMap<>(Counted.class);
    private final Map<Level, LongAdder> levels = new EnumMap<>(Level.class);
    private final Map<RejectReason, Counter> rejections = new EnumMap<>(RejectReason.class);
    private final Map<ContractRule, Counter> contractViolations = new EnumMap<>(ContractRule.class);
    private final Map<String, Counter> registryRecordsRefused = new ConcurrentHashMap<>();
    private final LongAdder keyDerivationNanos = new LongAdder();
    private final Timer kafkaSend;
    private volatile boolean registryConsumerUp = true;
    private volatile JvmGcMetrics gc;
    private volatile KafkaClientMetrics producer;

    public MicrometerGatewayMetrics() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        for (Counted event : Counted.values()) {
            Tags tags = event.tag == null ? Tags.empty() : Tags.of(event.tag, event.tagValue);
            counters.put(event, Counter.builder(P + event.meter).description(event.help).tags(tags)
                    .register(registry));
        }
        for (Level level : Level.values()) {
            LongAdder value = new LongAdder();
            levels.put(level, value);
            Gauge.builder(P + level.meter, value, LongAdder::sum).description(level.help).register(registry);
        }
        for (RejectReason reason : RejectReason.values()) {
            rejections.put(reason, Counter.builder(P + "rejections").description("Packets refused, by reason")
                    .tag("reason", reason.code()).register(registry));
        }
        for (ContractRule rule : ContractRule.values()) {
            contractViolations.put(rule, Counter.builder(P + "contract.violations").description("Telemetry batches"
                    + " refused for breaking the input contract, by rule (also counted in"
                    + " rejections_total{reason=\"contract-violation\"})").tag("rule", rule.label())
                    .register(registry));
        }
        for (CredentialRules.Problem problem : CredentialRules.Problem.values()) {
            refusedCounter(problem.code());
        }
        FunctionCounter.builder(P + "key.derivation.seconds", keyDerivationNanos, n -> n.sum() / 1e9)
                .description("Time spent in key derivations").register(registry);
        Gauge.builder(P + "registry.consumer.up", this, m -> m.registryConsumerUp ? 1 : 0)
                .description("1 while the registry consumer is alive and polling").register(registry);
        Duration[] buckets = Arrays.stream(LATENCY_BUCKETS_SECONDS).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
                .toArray(Duration[]::new);
        kafkaSend = Timer.builder(P + "kafka.send").description("Time from handing a record to Kafka until its"
                + " acknowledgement is back on the event loop").serviceLevelObjectives(buckets).register(registry);
    }

    private Counter refusedCounter(String reason) {
        return registryRecordsRefused.computeIfAbsent(reason, r -> Counter.builder(P + "registry.records.refused")
                .description("Device records refused as they came from the registry topic (the device cannot log"
                        + " in), by reason").tag("reason", r).register(registry));
    }

    /** Shows whether the gateway is ready, and its connection limit. */
    public void bindGateway(BooleanSupplier ready, int maxConnections) {
        // Held strongly: a gauge keeps its object weakly by default, and nothing else holds this supplier.
        Gauge.builder(P + "ready", ready, r -> r.getAsBoolean() ? 1 : 0).strongReference(true)
                .description("1 while Kafka is reachable and the device registry is loaded").register(registry);
        Gauge.builder(P + "connections.max", () -> maxConnections)
                .description("Configured connection limit").register(registry);
    }

    /** Shows the producer's own metrics ({@code kafka_producer_*}) until {@link #close()}. */
    public void bindProducer(Producer<?, ?> kafkaProducer) {
        KafkaClientMetrics binder = new KafkaClientMetrics(kafkaProducer);
        binder.bindTo(registry);
        producer = binder;
    }

    /** Shows the JVM's (memory, GC, threads, classes) and the process's (CPU, file descriptors, uptime) meters. */
    public void bindSystem() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics binder = new JvmGcMetrics();
        binder.bindTo(registry);
        gc = binder;
    }

    /** Unbinds the producer's and the GC's meters; the counters stay readable. */
    @Override
    public void close() {
        KafkaClientMetrics kafka = producer;
        if (kafka != null) {
            kafka.close();
        }
        JvmGcMetrics jvm = gc;
        if (jvm != null) {
            jvm.close();
        }
    }

    /** The registry these counters live in: bind more meters to it (the Kafka cluster watch), scrape it. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The exposition with whole numbers as {@code 3}, not {@code 3.0}, as scripts and tests expect. */
    public String scrape() {
        return WHOLE_NUMBER.matcher(registry.scrape()).replaceAll("$1");
    }

    @Override
    public void count(Counted event, long n) {
        counters.get(event).increment(n);
    }

    @Override
    public void add(Level level, long delta) {
        levels.get(level).add(delta);
    }

    @Override
    public void rejected(RejectReason reason) {
        rejections.get(reason).increment();
    }

    @Override
    public void contractViolated(ContractRule rule) {
        contractViolations.get(rule).increment();
    }

    @Override
    public void keyDerivation(long nanos) {
        count(Counted.KEY_DERIVATIONS);
        keyDerivationNanos.add(nanos);
    }

    @Override
    public void registryRecordRefused(String reason) {
        refusedCounter(reason).increment();
    }

    @Override
    public void registryConsumerUp(boolean up) {
        registryConsumerUp = up;
    }

    @Override
    public void kafkaSendLatency(long nanos, boolean succeeded) {
        kafkaSend.record(nanos, TimeUnit.NANOSECONDS);
    }

    // read back by tests and the snapshot
    public long total(Counted event) {
        return (long) counters.get(event).count();
    }

    public long level(Level level) {
        return levels.get(level).sum();
    }

    public long contractViolations(ContractRule rule) {
        return (long) contractViolations.get(rule).count();
    }

    public Map<String, Long> registryRecordsRefused() {
        return registryRecordsRefused.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> (long) e.getValue().count(), Long::sum, TreeMap::new));
    }

    @Override
    public Snapshot snapshot() {
        Map<String, Long> byReason = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<RejectReason, Counter> e : rejections.entrySet()) {
            long n = (long) e.getValue().count();
            if (n > 0) {
                byReason.put(e.getKey().code(), n);
                total += n;
            }
        }
        return new Snapshot(total(Counted.CONNECTIONS_ACCEPTED), total(Counted.CONNECTIONS_REFUSED),
                level(Level.CONNECTIONS_OPEN), total(Counted.TELEMETRY_ACCEPTED), total(Counted.READINGS_ACCEPTED),
                total(Counted.STATUS_ACCEPTED), total, byReason, total(Counted.KAFKA_SEND_FAILURES),
                total(Counted.DEADLETTER_FAILURES), level(Level.KAFKA_INFLIGHT));
    }
}
