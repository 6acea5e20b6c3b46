package io.tributary.processor.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.processor.notify.WebhookNotifier;

/**
 * The processor's meters on a Micrometer Prometheus registry: the page of {@code GET /metrics}.
 *
 * <p>The counters live where they are counted ({@link AtomicProcessorMetrics}, {@link AnalyticsMetrics}, the webhook's
 * adders) and are bound here as function counters, so the hot paths stay a {@code LongAdder} increment with no tag
 * lookup. Counters keyed at run time (a contract rule, an outage kind, a skip reason) get their series at the first
 * scrape after their first count, as before; dead-letter reasons are registered at 0 from the start. Adds the JVM,
 * process and Kafka client meters.
 */
public final class ProcessorMeters implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessorMeters.class);
    private static final String P = "tributary.processor.";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> binders = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicProcessorMetrics> writers;
    private final AnalyticsMetrics analytics;
    private final Map<String, List<Supplier<Map<MetricName, ? extends Metric>>>> lagSources =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code writers}: their counters by writer kind ({@code readings}, {@code rollups}, {@code alerts}). */
    public ProcessorMeters(Map<String, AtomicProcessorMetrics> writers, AnalyticsMetrics analytics) {
        this.writers = Map.copyOf(writers);
        this.analytics = analytics;
        for (MeterBinder binder : List.of(new JvmMemoryMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new io.micrometer.core.instrument.binder.system.ProcessorMetrics(), new UptimeMetrics(),
                new FileDescriptorMetrics())) {
            binder.bindTo(registry);
        }
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
        this.writers.forEach(this::bindWriter);
        bindAnalytics();
        bindKeyedCounters();
    }

    private void bindWriter(String writer, AtomicProcessorMetrics m) {
        Tags tags = Tags.of("writer", writer);
        counter("records.consumed", "Kafka records taken by a writer.", m, AtomicProcessorMetrics::recordsConsumed,
                tags);
        counter("points.written", "Records (readings, rollups, alerts) InfluxDB accepted.", m,
                AtomicProcessorMetrics::readingsWritten, tags);
        counter("write.failures", "Failed InfluxDB writes by kind.", m,
                AtomicProcessorMetrics::retryableWriteFailures, tags.and("kind", "retryable"));
        counter("write.failures", "Failed InfluxDB writes by kind.", m,
                AtomicProcessorMetrics::permanentWriteFailures, tags.and("kind", "rejected"));
        counter("write.probes", "Probe points written after a rejection, to tell a poisoned record from a broken "
                + "write path.", m, AtomicProcessorMetrics::probes, tags);
        Gauge.builder(P + "write.path.up", m, w -> w.outage().isPresent() ? 0 : 1)
                .description("0 while a writer cannot store anything (InfluxDB unreachable or rejecting every write).")
                .tags(tags).strongReference(true).register(registry);
    }

    private void bindAnalytics() {
        counter("readings.processed", "Readings run through the rollups and alert rules.", analytics,
                AnalyticsMetrics::readingsProcessed, Tags.empty());
        counter("late.readings", "Readings that arrived after their window closed (end + grace): stored raw, not "
                + "rolled up.", analytics, AnalyticsMetrics::lateReadings, Tags.empty());
        counter("rollups.emitted", "Rollups emitted for closed windows.", analytics, AnalyticsMetrics::rollupsEmitted,
                Tags.empty());
        counter("alert.transitions", "Alert state transitions.", analytics, AnalyticsMetrics::alertsFiring,
                Tags.of("state", "firing"));
        counter("alert.transitions", "Alert state transitions.", analytics, AnalyticsMetrics::alertsResolved,
                Tags.of("state", "resolved"));
        bindDeviceHealth();
    }

    /** Fleet totals of device health, {@code tributary_device_health_*}: the per-device values are in InfluxDB. */
    private void bindDeviceHealth() {
        String h = "tributary.device.health.";
        FunctionCounter.builder(h + "gaps", analytics, AnalyticsMetrics::sequenceGaps).description("Batch sequence "
                + "numbers found skipped; a late batch may fill one later (late_total).").register(registry);
        FunctionCounter.builder(h + "late", analytics, AnalyticsMetrics::lateBatches)
                .description("Batches that arrived after a higher-numbered one of their device.").register(registry);
        FunctionCounter.builder(h + "duplicates", analytics, AnalyticsMetrics::duplicateBatches)
                .description("Batches whose sequence number was seen before (redelivered or replayed).")
                .register(registry);
        FunctionCounter.builder(h + "restarts", analytics, AnalyticsMetrics::counterRestarts)
                .description("Devices that started their batch sequence over.").register(registry);
        Gauge.builder(h + "devices.with.gaps", analytics, AnalyticsMetrics::devicesWithGaps)
                .description("Devices with open sequence gaps (this instance's Streams tasks).").register(registry);
    }

    /** The counters of keys known only at run time: registering is idempotent, so each scrape adds the new ones. */
    private void bindKeyedCounters() {
        writers.forEach((writer, m) -> {
            keyed("deadlettered", "Records sent to the dead-letter topic, by writer and reason.",
                    m.deadLetteredByReasonCounters(), Tags.of("writer", writer), "reason");
            keyed("write.outage.retries", "Writes retried because the write path was down, by kind (transient, "
                    + "misconfigured, rejected_wholesale).", m.outageRetryCounters(), Tags.of("writer", writer),
                    "kind");
        });
        AtomicProcessorMetrics readings = writers.get("readings");
        if (readings != null) {
            keyed("contract.violations", CONTRACT_HELP, readings.contractViolationCounters(),
                    Tags.of("part", "writer"), "rule");
        }
        keyed("contract.violations", CONTRACT_HELP, analytics.contractViolationCounters(), Tags.of("part", "streams"),
                "rule");
        keyed("streams.skipped", "Readings or records the Streams part left out, by reason (never a stop).",
                analytics.skippedCounters(), Tags.empty(), "reason");
    }

    private static final String CONTRACT_HELP = "Telemetry records that break the input contract, by rule (readings "
            + "writer: dead-lettered; streams: skipped).";

    private void keyed(String name, String help, Map<String, LongAdder> counters, Tags tags, String key) {
        counters.forEach((k, adder) -> counter(name, help, adder, LongAdder::sum, tags.and(key, k)));
    }

    private <T> void counter(String name, String help, T source, java.util.function.ToLongFunction<T> count,
            Tags tags) {
        FunctionCounter.builder(P + name, source, s -> count.applyAsLong(s)).description(help).tags(tags)
                .register(registry);
    }

    /** The write-request timer of one writer kind ({@code _count}, {@code _sum} and {@code _max} in seconds). */
    public Timer writeTimer(String writer) {
        return Timer.builder(P + "write.duration").description("InfluxDB write request latency.")
                .tag("writer", writer).register(registry);
    }

    /**
     * A Kafka consumer of {@code key} (readings, rollups, alerts, webhook): its client meters, and its records lag in
     * {@code tributary_processor_consumer_lag_records} (the largest over the key's consumers).
     */
    public void bindConsumer(String key, Consumer<?, ?> consumer, boolean exportLag) {
        bindKafkaClient(new KafkaClientMetrics(consumer));
        if (exportLag) {
            bindLag(key, consumer::metrics);
        }
    }

    public void bindProducer(org.apache.kafka.clients.producer.Producer<?, ?> producer) {
        bindKafkaClient(new KafkaClientMetrics(producer));
    }

    /** The Kafka Streams client's meters (its binder), and its records lag under {@code consumer="streams"}. */
    public void bindStreams(MeterBinder streamsMetrics, Supplier<Map<MetricName, ? extends Metric>> metrics) {
        streamsMetrics.bindTo(registry);
        if (streamsMetrics instanceof AutoCloseable closeable) {
            binders.add(closeable);
        }
        bindLag("streams", metrics);
    }

    private void bindKafkaClient(KafkaClientMetrics binder) {
        binder.bindTo(registry);
        binders.add(binder);
    }

    private void bindLag(String key, Supplier<Map<MetricName, ? extends Metric>> metrics) {
        List<Supplier<Map<MetricName, ? extends Metric>>> sources = lagSources.computeIfAbsent(key, k -> {
            List<Supplier<Map<MetricName, ? extends Metric>>> list = new CopyOnWriteArrayList<>();
            Gauge.builder(P + "consumer.lag.records", list, ProcessorMeters::maxLag)
                    .description("Records behind the end of the input topic (largest partition lag), per consumer.")
                    .tag("consumer", k).strongReference(true).register(registry);
            return list;
        });
        sources.add(metrics);
    }

    /** The alert webhook's outcomes (read at scrape time). */
    public void bindWebhook(WebhookNotifier webhook) {
        String help = "Alert webhook POSTs by outcome.";
        counter("webhook.deliveries", help, webhook, WebhookNotifier::delivered, Tags.of("outcome", "delivered"));
        counter("webhook.deliveries", help, webhook, WebhookNotifier::failedAttempts,
                Tags.of("outcome", "failed_attempt"));
        counter("webhook.deliveries", help, webhook, WebhookNotifier::skipped, Tags.of("outcome", "skipped"));
    }

    /** {@code tributary_processor_up} and {@code _ready}. */
    public void bindHealth(BooleanSupplier live, BooleanSupplier ready) {
        Gauge.builder(P + "up", () -> live.getAsBoolean() ? 1 : 0)
                .description("1 while every part runs, 0 after a failure.").register(registry);
        Gauge.builder(P + "ready", () -> ready.getAsBoolean() ? 1 : 0)
                .description("1 when Streams has all its tasks running.").register(registry);
    }

    /** The Prometheus text page (format 0.0.4). */
    /** Shows the Kafka cluster watch's meters ({@code tributary_kafka_*}). */
    public void bind(MeterBinder binder) {
        binder.bindTo(registry);
    }

    public String scrape() {
        bindKeyedCounters();
        return registry.scrape();
    }

    /** The largest {@code records-lag} of a client's consumer metrics (0 if none). */
    private static double maxLag(List<Supplier<Map<MetricName, ? extends Metric>>> sources) {
        double max = 0;
        for (Supplier<Map<MetricName, ? extends Metric>> source : new ArrayList<>(sources)) {
            for (Map.Entry<MetricName, ? extends Metric> e : source.get().entrySet()) {
                MetricName name = e.getKey();
                if (name.group().equals("consumer-fetch-manager-metrics") && name.name().equals("records-lag")) {
                    Object v = e.getValue().metricValue();
                    if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
                        max = Math.max(max, n.doubleValue());
                    }
                }
            }
        }
        return max;
    }

    /** Stops the binders' background work (Kafka meter refresh, GC listeners); the page stays readable. */
    @Override
    public void close() {
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception e) {
                log.debug("Closing a meter binder failed", e);
            }
        }
    }
}
