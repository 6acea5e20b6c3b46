package io.tributary.processor.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
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
import io.tributary.processor.health.DeviceHealthState;
import io.tributary.processor.notify.WebhookNotifier;
import io.tributary.processor.streams.StreamsListener;
import io.tributary.processor.writer.DeadLetterReason;
import io.tributary.proto.v1.AlertEvent;

/**
 * The processor's meters on a Micrometer Prometheus registry: the page of {@code GET /metrics}. A new meter is one
 * {@code Counter}/{@code Gauge} registration here (names take the {@code tributary.processor.} prefix). The writers
 * count on their {@link WriterMeters}, the Streams part on this class (its {@link StreamsListener}); hot paths hold
 * their {@code Counter}, while counters keyed at run time (a rule, a reason, a kind) are looked up at each count, as
 * they are rare. Adds the JVM, process and Kafka client meters.
 */
public final class ProcessorMeters implements StreamsListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessorMeters.class);
    static final String P = "tributary.processor.";
    static final String CONTRACT_HELP = "Telemetry records that break the input contract, by rule (readings "
            + "writer: dead-lettered; streams: skipped).";

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> binders = new CopyOnWriteArrayList<>();
    private final Map<String, List<Supplier<Map<MetricName, ? extends Metric>>>> lagSources =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, WriterMeters> writers = new LinkedHashMap<>(); // guarded by this
    private final Counter readingsProcessed = counter("readings.processed",
            "Readings run through the rollups and alert rules.");
    private final Counter lateReadings = counter("late.readings", "Readings that arrived after their window closed "
            + "(end + grace): stored raw, not rolled up.");
    private final Counter rollupsEmitted = counter("rollups.emitted", "Rollups emitted for closed windows.");
    private static final String METADATA_INVALID_HELP = "Device metadata records that are not valid labels of "
            + "their device: skipped, the device keeps its labels.";
    private final Counter metadataInvalid = counter("metadata.invalid", METADATA_INVALID_HELP, "reader", "streams");
    private final Counter sequenceGaps = healthCounter("gaps", "Batch sequence numbers found skipped; a late batch may "
            + "fill one later (late_total).");
    private final Counter lateBatches = healthCounter("late", "Batches that arrived after a higher-numbered one of their "
            + "device.");
    private final Counter duplicateBatches = healthCounter("duplicates", "Batches whose sequence number was seen before "
            + "(redelivered or replayed).");
    private final Counter counterRestarts = healthCounter("restarts", "Devices that started their batch sequence over.");
    private final Map<String, Integer> devicesWithGaps = new java.util.concurrent.ConcurrentHashMap<>();
    private final Counter alertsFiring = counter("alert.transitions", "Alert state transitions.", "state", "firing");
    private final Counter alertsResolved = counter("alert.transitions", "Alert state transitions.", "state",
            "resolved");

    public ProcessorMeters() {
        Gauge.builder("tributary.device.health.devices.with.gaps", devicesWithGaps,
                d -> d.values().stream().mapToInt(Integer::intValue).sum())
                .description("Devices with open sequence gaps (this instance's Streams tasks).").register(registry);
        for (MeterBinder binder : List.of(new JvmMemoryMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new io.micrometer.core.instrument.binder.system.ProcessorMetrics(), new UptimeMetrics(),
                new FileDescriptorMetrics())) {
            binder.bindTo(registry);
        }
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
    }

    /** The meters of a writer kind ({@code readings}, {@code rollups}, {@code alerts}), registered at first call. */
    public synchronized WriterMeters writer(String writer) {
        return writers.computeIfAbsent(writer, w -> new WriterMeters(this, w));
    }

    /** Why a writer cannot store anything right now (it retries and commits nothing meanwhile), if one cannot. */
    public synchronized Optional<String> writePathOutage() {
        return writers.values().stream().flatMap(w -> w.outage().map(why -> w.writer + " writer: " + why).stream())
                .findFirst();
    }

    /**
     * Invalid device metadata records the writers' labels reader skipped (Streams counts its own through the
     * listener).
     */
    public <T> void bindMetadataInvalid(String reader, T source, java.util.function.ToLongFunction<T> count) {
        FunctionCounter.builder(P + "metadata.invalid", source, s -> count.applyAsLong(s))
                .description(METADATA_INVALID_HELP).tags("reader", reader).register(registry);
    }

    @Override
    public void readingsProcessed(int readings) {
        readingsProcessed.increment(readings);
    }

    @Override
    public void invalidMetadata() {
        metadataInvalid.increment();
    }

    @Override
    public void deviceHealthChange(DeviceHealthState.Change change) {
        sequenceGaps.increment(change.newGaps());
        if (change.late()) {
            lateBatches.increment();
        }
        if (change.duplicate()) {
            duplicateBatches.increment();
        }
        if (change.restart()) {
            counterRestarts.increment();
        }
    }

    @Override
    public void devicesWithGaps(String task, int devices) {
        devicesWithGaps.put(task, devices);
    }

    @Override
    public void lateReading() {
        lateReadings.increment();
    }

    @Override
    public void rollupEmitted() {
        rollupsEmitted.increment();
    }

    @Override
    public void alertTransition(AlertEvent event) {
        (event.getState() == AlertEvent.AlertState.FIRING ? alertsFiring : alertsResolved).increment();
    }

    @Override
    public void contractViolation(String rule) {
        counter("contract.violations", CONTRACT_HELP, "part", "streams", "rule", rule).increment();
    }

    @Override
    public void readingBeyondFuture() {
        skipped("reading_beyond_future");
    }

    @Override
    public void rollupSensorSkipped() {
        skipped("window_entry_full");
    }

    @Override
    public void deviceIdTooLong() {
        skipped("device_id_too_long");
    }

    @Override
    public void processingError(String node) {
        skipped("processing_error");
    }

    @Override
    public void productionError(String topic) {
        skipped("production_error");
    }

    private void skipped(String reason) {
        counter("streams.skipped", "Readings or records the Streams part left out, by reason (never a stop).",
                "reason", reason).increment();
    }

    /** Fleet totals of device health, {@code tributary_device_health_*}: the per-device values are in InfluxDB. */
    private Counter healthCounter(String name, String help) {
        return Counter.builder("tributary.device.health." + name).description(help).register(registry);
    }

    /** Registers (or finds) the counter {@code tributary.processor.NAME} with these tags (key, value, ...). */
    Counter counter(String name, String help, String... tags) {
        return Counter.builder(P + name).description(help).tags(tags).register(registry);
    }

    /** The sum of the counters {@code tributary.processor.NAME} that have these tags (key, value, ...). */
    public long count(String name, String... tags) {
        return (long) registry.find(P + name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
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
        Map.<String, ToDoubleFunction<WebhookNotifier>>of("delivered", WebhookNotifier::delivered, "failed_attempt",
                WebhookNotifier::failedAttempts, "skipped", WebhookNotifier::skipped).forEach((outcome, count) ->
                FunctionCounter.builder(P + "webhook.deliveries", webhook, count).description(
                        "Alert webhook POSTs by outcome.").tag("outcome", outcome).register(registry));
    }

    /** {@code tributary_processor_up} and {@code _ready}. */
    public void bindHealth(BooleanSupplier live, BooleanSupplier ready) {
        Gauge.builder(P + "up", () -> live.getAsBoolean() ? 1 : 0)
                .description("1 while every part runs, 0 after a failure.").register(registry);
        Gauge.builder(P + "ready", () -> ready.getAsBoolean() ? 1 : 0)
                .description("1 when Streams has all its tasks running.").register(registry);
    }

    /** Shows the Kafka cluster watch's meters ({@code tributary_kafka_*}). */
    public void bind(MeterBinder binder) {
        binder.bindTo(registry);
    }

    /** The Prometheus text page. */
    public String scrape() {
        return registry.scrape();
    }

    /** The largest {@code records-lag} of a client's consumer metrics (0 if none). */
    private static double maxLag(List<Supplier<Map<MetricName, ? extends Metric>>> sources) {
        return sources.stream().flatMap(source -> source.get().entrySet().stream())
                .filter(e -> e.getKey().group().equals("consumer-fetch-manager-metrics")
                        && e.getKey().name().equals("records-lag"))
                .map(e -> e.getValue().metricValue())
                .mapToDouble(v -> v instanceof Number n ? n.doubleValue() : Double.NaN)
                .filter(Double::isFinite).reduce(0, Math::max);
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
