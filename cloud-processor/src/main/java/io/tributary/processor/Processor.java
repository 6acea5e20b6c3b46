package io.tributary.processor;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.processor.alert.RuleSet;
import io.tributary.processor.alert.RulesFileWatcher;
import io.tributary.processor.alert.RulesParser;
import io.tributary.processor.config.AnalyticsConfig;
import io.tributary.processor.config.ProcessorConfig;
import io.tributary.processor.contract.ContractCheck;
import io.tributary.processor.contract.TelemetryCheck;
import io.tributary.processor.metrics.AnalyticsMetrics;
import io.tributary.processor.metrics.AtomicProcessorMetrics;
import io.tributary.processor.metrics.ProcessorMetrics;
import io.tributary.processor.notify.WebhookNotifier;
import io.tributary.processor.ops.OpsHttpServer;
import io.tributary.processor.ops.PrometheusText;
import io.tributary.processor.rollup.WindowSize;
import io.tributary.processor.streams.StreamsEngine;
import io.tributary.processor.streams.TopologySettings;
import io.tributary.processor.writer.AlertPointMapper;
import io.tributary.processor.writer.InfluxPointWriter;
import io.tributary.processor.writer.InfluxReadingsWriter;
import io.tributary.processor.writer.KafkaDeadLetterPublisher;
import io.tributary.processor.writer.ReadingPointMapper;
import io.tributary.processor.writer.RecordMapper;
import io.tributary.processor.writer.RollupPointMapper;
import io.tributary.processor.writer.TimedPointWriter;

/**
 * The cloud processor: the InfluxDB readings writer ({@link InfluxReadingsWriter}) on its own thread and, unless
 * {@link AnalyticsConfig#enabled()} is off, the Kafka Streams rollups and alert engine ({@link StreamsEngine}), the
 * rollups and alerts writers (same write-then-commit loop), the optional alert webhook and the optional operations
 * HTTP endpoint.
 *
 * <pre>{@code
 * try (Processor processor = new Processor(config)) {
 *     processor.start();
 *     ...
 * }
 * }</pre>
 */
public final class Processor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Processor.class);

    /**
     * Each fetch waits for 64 KiB or 100 ms instead of returning as soon as one record arrived. With the default of
     * one byte, the writers fetched again after every produce request of the gateway (hundreds of fetches a second,
     * each a broker request and a small InfluxDB write); measured at 25,000 readings/s on 2 cores, this cut the
     * processor from 0.38 to 0.25 cores and the broker from 0.52 to 0.39. Overridable (consumer overrides).
     */
    static final Map<String, String> FETCH_DEFAULTS = Map.of(
            ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536",
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");

    /** Kafka consumer settings the writer's guarantees depend on: overrides cannot change them. */
    private static final Map<String, String> FIXED_CONSUMER_SETTINGS = Map.of(
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");

    private final ProcessorConfig config;
    private final AtomicProcessorMetrics metrics = new AtomicProcessorMetrics();
    private final AtomicProcessorMetrics rollupWriterMetrics = new AtomicProcessorMetrics();
    private final AtomicProcessorMetrics alertWriterMetrics = new AtomicProcessorMetrics();
    private final AnalyticsMetrics analyticsMetrics = new AnalyticsMetrics();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Object lifecycle = new Object();

    // Written under lifecycle.
    private volatile State state = State.NEW;
    private final List<Worker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    /** Per writer kind (readings, rollups, alerts): the point writer and consumer of each of its threads. */
    private final Map<String, List<TimedPointWriter>> timedWriters = new HashMap<>();
    private final Map<String, List<KafkaConsumer<byte[], byte[]>>> consumers = new HashMap<>();
    /** Clients handed to workers that have not run yet: closed here if start() fails half-way. */
    private final List<AutoCloseable> unstartedClients = new ArrayList<>();
    /** The input contract re-checked on telemetry: one instance, so writers and Streams share the sensor counts. */
    private final TelemetryCheck contract;
    private StreamsEngine streams;
    private RulesFileWatcher rulesWatcher;
    private WebhookNotifier webhook;
    private OpsHttpServer http;

    private enum State { NEW, RUNNING, CLOSED }

    /** One loop on its own thread. */
    private record Worker(String name, String threadName, Runnable body, Runnable shutdown) {
    }

    public Processor(ProcessorConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.contract = new ContractCheck(config.inputContract());
    }

    /**
     * Connects the clients and starts the writer threads and Streams; returns at once (creating missing rollups and
     * alerts topics may take a moment).
     *
     * @throws IllegalStateException if already started or closed, or the alert rules file is invalid
     * @throws org.apache.kafka.common.KafkaException if the Kafka clients cannot be created from the config
     */
    public void start() {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("Processor already " + state.name().toLowerCase());
            }
            log.info("Starting processor [{}]", config);
            try {
                AnalyticsConfig analytics = config.analytics();
                int readingsWriters = analytics.readingsWriters();
                for (int i = 1; i <= readingsWriters; i++) {
                    String suffix = readingsWriters == 1 ? "" : "-" + i;
                    addWriter("readings", "Readings writer" + suffix, "tributary-influx-writer" + suffix,
                            config.consumerGroup(), config.telemetryTopic(),
                            new ReadingPointMapper(contract, Clock.systemUTC())::map, metrics);
                }
                if (analytics.enabled()) {
                    ensureTopics();
                    Supplier<RuleSet> rules = rules(analytics);
                    addWriter("rollups", "Rollups writer", "tributary-rollups-writer", config.consumerGroup()
                            + "-rollups", config.rollupsTopic(), new RollupPointMapper(), rollupWriterMetrics);
                    addWriter("alerts", "Alerts writer", "tributary-alerts-writer", config.consumerGroup() + "-alerts",
                            config.alertsTopic(), new AlertPointMapper(), alertWriterMetrics);
                    if (analytics.webhookUrl() != null) {
                        String group = analytics.webhookGroup() != null ? analytics.webhookGroup()
                                : config.consumerGroup() + "-webhook";
                        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                                consumerProperties(config, group));
                        unstartedClients.add(consumer);
                        KafkaProducer<byte[], byte[]> webhookProducer = new KafkaProducer<>(
                                producerProperties(config, group + "-deadletter"));
                        unstartedClients.add(webhookProducer);
                        webhook = new WebhookNotifier(consumer, config.alertsTopic(), analytics.webhookUrl(),
                                new WebhookNotifier.Settings(config.pollTimeout(), config.retryBackoffInitial(),
                                        config.retryBackoffMax(), config.influxRequestTimeout(),
                                        config.closeTimeout().dividedBy(3)),
                                new KafkaDeadLetterPublisher(webhookProducer, config.deadLetterTopic(),
                                        config.influxRequestTimeout(), config.closeTimeout().dividedBy(3),
                                        "processor/webhook"));
                        workers.add(new Worker("Alert webhook", "tributary-alert-webhook", webhook,
                                webhook::shutdown));
                    }
                    streams = new StreamsEngine(new StreamsEngine.Settings(config.kafkaBootstrapServers(),
                            applicationId(), analytics.stateDir(), analytics.commitInterval(),
                            analytics.streamThreads(), streamsOverrides(config)), topologySettings(), rules,
                            analyticsMetrics);
                }
                if (analytics.httpPort() >= 0) {
                    http = new OpsHttpServer(analytics.httpHost(), analytics.httpPort(), this::renderMetrics,
                            this::isLive, this::isReady, this::readinessDetail);
                }
            } catch (RuntimeException | IOException e) {
                releaseAfterFailedStart();
                if (e instanceof IOException io) {
                    throw new IllegalStateException("Cannot start the operations endpoint: " + io.getMessage(), io);
                }
                throw (RuntimeException) e;
            }
            state = State.RUNNING;
            unstartedClients.clear();
            for (Worker worker : workers) {
                Thread thread = new Thread(() -> runWorker(worker), worker.threadName());
                threads.add(thread);
                thread.start();
            }
            if (streams != null) {
                streams.start();
            }
        }
    }

    private Supplier<RuleSet> rules(AnalyticsConfig analytics) {
        if (analytics.alertRulesFile() == null) {
            return () -> RuleSet.EMPTY;
        }
        try {
            rulesWatcher = new RulesFileWatcher(analytics.alertRulesFile(), analytics.rulesCheckInterval());
            return rulesWatcher;
        } catch (IOException e) {
            throw new IllegalStateException("alerts.rules-file: cannot read " + analytics.alertRulesFile() + ": "
                    + e.getMessage(), e);
        } catch (RulesParser.InvalidRulesException e) {
            throw new IllegalStateException("alerts.rules-file: " + analytics.alertRulesFile() + " is invalid: "
                    + e.getMessage(), e);
        }
    }

    private void addWriter(String key, String name, String threadName, String group, String topic,
            RecordMapper mapper, AtomicProcessorMetrics writerMetrics) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(config, group));
        consumers.computeIfAbsent(key, k -> new ArrayList<>()).add(consumer);
        unstartedClients.add(consumer);
        KafkaProducer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(producerProperties(config, group + "-deadletter"));
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        TimedPointWriter pointWriter;
        try {
            pointWriter = new TimedPointWriter(new InfluxPointWriter(config.influxUrl(), config.influxToken(),
                    config.influxOrg(), config.influxBucket(), config.influxRequestTimeout(),
                    config.analytics().influxGzip()));
        } catch (RuntimeException e) {
            consumer.close();
            producer.close();
            throw e;
        }
        timedWriters.computeIfAbsent(key, k -> new ArrayList<>()).add(pointWriter);
        unstartedClients.add(producer);
        unstartedClients.add(pointWriter);
        Duration clientCloseTimeout = config.closeTimeout().dividedBy(3);
        KafkaDeadLetterPublisher deadLetters = new KafkaDeadLetterPublisher(producer, config.deadLetterTopic(),
                config.influxRequestTimeout().multipliedBy(3), clientCloseTimeout, "processor/" + key);
        InfluxReadingsWriter.Settings settings = new InfluxReadingsWriter.Settings(config.maxPointsPerWrite(),
                config.pollTimeout(), config.retryBackoffInitial(), config.retryBackoffMax(), clientCloseTimeout);
        InfluxReadingsWriter writer = new InfluxReadingsWriter(name, mapper, consumer, topic, pointWriter, deadLetters,
                settings, writerMetrics, Clock.systemUTC());
        workers.add(new Worker(name, threadName, writer, writer::shutdown));
    }

    /**
     * What the Streams properties take from this config, over {@code StreamsEngine}'s own settings: the
     * group-membership timeouts of the consumer overrides, and the producer's compression.
     */
    static Map<String, String> streamsOverrides(ProcessorConfig config) {
        Map<String, String> overrides = new HashMap<>();
        for (String key : List.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)) {
            String value = config.consumerOverrides().get(key);
            if (value != null) {
                overrides.put(StreamsConfig.consumerPrefix(key), value);
            }
        }
        overrides.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG),
                config.analytics().streamsCompression());
        return overrides;
    }

    private String applicationId() {
        String id = config.analytics().applicationId();
        return id != null ? id : config.consumerGroup() + "-streams";
    }

    private TopologySettings topologySettings() {
        AnalyticsConfig a = config.analytics();
        return new TopologySettings(config.telemetryTopic(), config.rollupsTopic(), config.alertsTopic(),
                a.rollupWindows().stream().map(WindowSize::of).toList(), a.rollupGrace(), a.punctuateInterval())
                .withLimits(config.inputContract().maxEventFuture(), config.inputContract().maxSensorsPerDevice(),
                        TopologySettings.DEFAULT_MAX_WINDOW_ENTRY_BYTES, contract);
    }

    /**
     * Creates the rollups and alerts topics (and telemetry, which Streams needs to exist) when missing, with the
     * telemetry topic's partition count and the broker's default replication factor.
     */
    private void ensureTopics() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(props)) {
            Optional<Integer> partitions = Optional.empty();
            try {
                Map<String, TopicDescription> telemetry = admin.describeTopics(Set.of(config.telemetryTopic()))
                        .allTopicNames().get(30, TimeUnit.SECONDS);
                partitions = Optional.of(telemetry.get(config.telemetryTopic()).partitions().size());
            } catch (ExecutionException e) {
                log.info("Telemetry topic missing: creating it with the broker's defaults [topic: {}]",
                        config.telemetryTopic());
            }
            List<NewTopic> topics = new ArrayList<>();
            if (partitions.isEmpty()) {
                topics.add(new NewTopic(config.telemetryTopic(), Optional.empty(), Optional.empty()));
            }
            topics.add(new NewTopic(config.rollupsTopic(), partitions, Optional.empty()));
            topics.add(new NewTopic(config.alertsTopic(), partitions, Optional.empty()));
            admin.createTopics(topics).values().forEach((name, future) -> {
                try {
                    future.get(30, TimeUnit.SECONDS);
                    log.info("Topic created [topic: {}]", name);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        log.warn("Could not create topic [topic: {}]: {}", name, e.getCause().toString());
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                } catch (TimeoutException te) {
                    log.warn("Creating topic timed out [topic: {}]", name);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.warn("Kafka not reachable within 30 s while checking topics; continuing");
        }
    }

    private void releaseAfterFailedStart() {
        // The workers own their clients but have not run: close what was created.
        for (AutoCloseable client : unstartedClients) {
            try {
                if (client instanceof KafkaConsumer<?, ?> consumer) {
                    consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ZERO));
                } else if (client instanceof KafkaProducer<?, ?> producer) {
                    producer.close(Duration.ZERO);
                } else {
                    client.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (rulesWatcher != null) {
            rulesWatcher.close();
        }
        if (streams != null) {
            streams.close(Duration.ofSeconds(5));
        }
        state = State.CLOSED;
        stopped.countDown();
    }

    /** The readings writer's counters; live, readable from any thread. */
    public ProcessorMetrics metrics() {
        return metrics;
    }

    /** The rollups writer's counters (records = rollups). */
    public ProcessorMetrics rollupWriterMetrics() {
        return rollupWriterMetrics;
    }

    /** The alerts writer's counters (records = alert transitions). */
    public ProcessorMetrics alertWriterMetrics() {
        return alertWriterMetrics;
    }

    /** The Streams part's counters: late readings, rollups emitted, alert transitions. */
    public AnalyticsMetrics analyticsMetrics() {
        return analyticsMetrics;
    }

    /** The port of the operations endpoint, if it runs. */
    public Optional<Integer> httpPort() {
        return Optional.ofNullable(http).map(OpsHttpServer::port);
    }

    /** Whether every part is running (started, not yet stopped by close() or a fatal error). */
    public boolean isRunning() {
        return stopped.getCount() > 0 && state == State.RUNNING;
    }

    private boolean isLive() {
        return isRunning() && (streams == null || !streams.hasFailed());
    }

    /**
     * Live, Streams has its tasks assigned and restored, and no writer's write path is down (InfluxDB unreachable, or
     * rejecting every write: see {@link #writePathOutage()}).
     */
    public boolean isReady() {
        return isLive() && (streams == null || streams.isReady()) && writePathOutage().isEmpty();
    }

    /** Why a writer cannot store anything right now (it retries and commits nothing meanwhile), if one cannot. */
    public Optional<String> writePathOutage() {
        for (Map.Entry<String, AtomicProcessorMetrics> w : writerMetrics().entrySet()) {
            Optional<String> outage = w.getValue().outage();
            if (outage.isPresent()) {
                return Optional.of(w.getKey() + " writer: " + outage.get());
            }
        }
        return Optional.empty();
    }

    private Map<String, AtomicProcessorMetrics> writerMetrics() {
        Map<String, AtomicProcessorMetrics> writers = new java.util.LinkedHashMap<>();
        writers.put("readings", metrics);
        writers.put("rollups", rollupWriterMetrics);
        writers.put("alerts", alertWriterMetrics);
        return writers;
    }

    private String readinessDetail() {
        if (!isLive()) {
            return "not running" + failure().map(t -> ": " + t).orElse("");
        }
        Optional<String> outage = writePathOutage();
        if (outage.isPresent()) {
            return "write path down: " + outage.get();
        }
        return streams == null ? "ready" : "streams " + streams.state();
    }

    /** The error that stopped a part of the processor, if one stopped on its own. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * Blocks until the processor has stopped (after {@link #close()} or a fatal error).
     *
     * @return false if it did not stop within the timeout
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops everything: the InfluxDB writes in flight finish and are committed, or are abandoned uncommitted; Streams
     * commits and closes; then the Kafka clients and the InfluxDB clients are closed. Waits at most
     * {@code closeTimeout} per part (plus a short grace after interrupting a thread). Idempotent; safe from any
     * thread, including a shutdown hook.
     */
    @Override
    public void close() {
        List<Thread> toJoin;
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                return;
            }
            boolean wasRunning = state == State.RUNNING;
            state = State.CLOSED;
            if (!wasRunning) {
                stopped.countDown();
                return;
            }
            workers.forEach(w -> w.shutdown().run());
            toJoin = List.copyOf(threads);
        }
        if (http != null) {
            http.close();
        }
        if (streams != null) {
            streams.close(config.closeTimeout());
        }
        if (rulesWatcher != null) {
            rulesWatcher.close();
        }
        try {
            long deadline = System.nanoTime() + config.closeTimeout().toNanos();
            for (Thread thread : toJoin) {
                if (Thread.currentThread() == thread) {
                    continue; // close() from a worker thread itself: it stops on its own
                }
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (thread.isAlive()) {
                    log.warn("{} still busy after {}: interrupting it; its unfinished write stays uncommitted",
                            thread.getName(), config.closeTimeout());
                    thread.interrupt();
                    thread.join(Duration.ofSeconds(2).toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    private void runWorker(Worker worker) {
        try {
            worker.body().run();
            if (state != State.CLOSED) {
                fail(new IllegalStateException(worker.name() + " stopped unexpectedly"));
            }
        } catch (Throwable t) {
            if (state == State.CLOSED) {
                log.warn("{} interrupted while closing: {}", worker.name(), t.toString());
                return;
            }
            log.error("{} stopped on an unexpected error; no offsets beyond the written data were committed",
                    worker.name(), t);
            fail(t);
        }
    }

    private void fail(Throwable t) {
        failure.compareAndSet(null, t);
        stopped.countDown();
    }

    /** The Prometheus text page of {@code /metrics}. */
    public String renderMetrics() {
        PrometheusText p = new PrometheusText();
        Map<String, ProcessorMetrics> writers = Map.of("readings", metrics, "rollups", rollupWriterMetrics,
                "alerts", alertWriterMetrics);
        p.family("tributary_processor_records_consumed_total", "counter", "Kafka records taken by a writer.");
        writers.forEach((w, m) -> p.sample(m.recordsConsumed(), "writer", w));
        p.family("tributary_processor_points_written_total", "counter",
                "Records (readings, rollups, alerts) InfluxDB accepted.");
        writers.forEach((w, m) -> p.sample(m.readingsWritten(), "writer", w));
        p.family("tributary_processor_write_failures_total", "counter", "Failed InfluxDB writes by kind.");
        writers.forEach((w, m) -> {
            p.sample(m.retryableWriteFailures(), "writer", w, "kind", "retryable");
            p.sample(m.permanentWriteFailures(), "writer", w, "kind", "rejected");
        });
        // ---- issue 17: dead letters by reason, contract violations by rule, write-path outages, Streams skips
        p.family("tributary_processor_deadlettered_total", "counter",
                "Records sent to the dead-letter topic, by writer and reason.");
        writerMetrics().forEach((w, m) -> m.deadLetteredByReason().forEach((reason, n) ->
                p.sample(n, "writer", w, "reason", reason)));
        p.family("tributary_processor_contract_violations_total", "counter",
                "Telemetry records that break the input contract, by rule (readings writer: dead-lettered; "
                        + "streams: skipped).");
        metrics.contractViolations().forEach((rule, n) -> p.sample(n, "part", "writer", "rule", rule));
        analyticsMetrics.contractViolations().forEach((rule, n) -> p.sample(n, "part", "streams", "rule", rule));
        p.family("tributary_processor_streams_skipped_total", "counter",
                "Readings or records the Streams part left out, by reason (never a stop).");
        analyticsMetrics.skipped().forEach((reason, n) -> p.sample(n, "reason", reason));
        p.family("tributary_processor_write_path_up", "gauge",
                "0 while a writer cannot store anything (InfluxDB unreachable or rejecting every write).");
        writerMetrics().forEach((w, m) -> p.sample(m.outage().isPresent() ? 0 : 1, "writer", w));
        p.family("tributary_processor_write_outage_retries_total", "counter",
                "Writes retried because the write path was down, by kind (transient, misconfigured, "
                        + "rejected_wholesale).");
        writerMetrics().forEach((w, m) -> m.outageRetries().forEach((kind, n) ->
                p.sample(n, "writer", w, "kind", kind)));
        p.family("tributary_processor_write_probes_total", "counter",
                "Probe points written after a rejection, to tell a poisoned record from a broken write path.");
        writerMetrics().forEach((w, m) -> p.sample(m.probes(), "writer", w));
        p.family("tributary_processor_write_duration_seconds", "summary", "InfluxDB write request latency.");
        timedWriters.forEach((w, ts) -> {
            p.sample("tributary_processor_write_duration_seconds_count",
                    ts.stream().mapToLong(TimedPointWriter::requests).sum(), "writer", w);
            p.sample("tributary_processor_write_duration_seconds_sum",
                    ts.stream().mapToDouble(TimedPointWriter::totalSeconds).sum(), "writer", w);
        });
        p.family("tributary_processor_write_duration_seconds_max", "gauge", "Slowest InfluxDB write request.");
        timedWriters.forEach((w, ts) -> p.sample(
                ts.stream().mapToDouble(TimedPointWriter::maxSeconds).max().orElse(0), "writer", w));
        p.family("tributary_processor_consumer_lag_records", "gauge",
                "Records behind the end of the input topic (largest partition lag), per consumer.");
        consumers.forEach((w, cs) -> p.sample(
                cs.stream().mapToDouble(c -> lag(c.metrics())).max().orElse(0), "consumer", w));
        if (streams != null) {
            p.sample(lag(streams.metrics()), "consumer", "streams");
        }
        p.family("tributary_processor_readings_processed_total", "counter",
                "Readings run through the rollups and alert rules.");
        p.sample(analyticsMetrics.readingsProcessed());
        p.family("tributary_processor_late_readings_total", "counter",
                "Readings that arrived after their window closed (end + grace): stored raw, not rolled up.");
        p.sample(analyticsMetrics.lateReadings());
        p.family("tributary_processor_rollups_emitted_total", "counter", "Rollups emitted for closed windows.");
        p.sample(analyticsMetrics.rollupsEmitted());
        p.family("tributary_processor_alert_transitions_total", "counter", "Alert state transitions.");
        p.sample(analyticsMetrics.alertsFiring(), "state", "firing");
        p.sample(analyticsMetrics.alertsResolved(), "state", "resolved");
        if (webhook != null) {
            p.family("tributary_processor_webhook_deliveries_total", "counter", "Alert webhook POSTs by outcome.");
            p.sample(webhook.delivered(), "outcome", "delivered");
            p.sample(webhook.failedAttempts(), "outcome", "failed_attempt");
            p.sample(webhook.skipped(), "outcome", "skipped");
        }
        p.family("tributary_processor_up", "gauge", "1 while every part runs, 0 after a failure.");
        p.sample(isLive() ? 1 : 0);
        p.family("tributary_processor_ready", "gauge", "1 when Streams has all its tasks running.");
        p.sample(isReady() ? 1 : 0);
        return p.toString();
    }

    /** The largest {@code records-lag-max} / {@code records-lag} of a client's consumer metrics (0 if none). */
    private static double lag(Map<MetricName, ? extends Metric> clientMetrics) {
        double max = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : clientMetrics.entrySet()) {
            MetricName name = e.getKey();
            if (name.group().equals("consumer-fetch-manager-metrics") && name.name().equals("records-lag")) {
                Object v = e.getValue().metricValue();
                if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
                    max = Math.max(max, n.doubleValue());
                }
            }
        }
        return max;
    }

    static Properties consumerProperties(ProcessorConfig config) {
        return consumerProperties(config, config.consumerGroup());
    }

    static Properties consumerProperties(ProcessorConfig config, String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-consumer");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.putAll(FETCH_DEFAULTS);
        props.putAll(config.consumerOverrides());
        props.putAll(FIXED_CONSUMER_SETTINGS);
        return props;
    }

    static Properties producerProperties(ProcessorConfig config) {
        return producerProperties(config, config.consumerGroup() + "-deadletter");
    }

    static Properties producerProperties(ProcessorConfig config, String clientId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(config.influxRequestTimeout().toMillis()));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(config.influxRequestTimeout().toMillis()));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                Long.toString(config.influxRequestTimeout().multipliedBy(2).toMillis()));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.putAll(config.producerOverrides());
        return props;
    }
}
