package io.tributary.processor;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

import io.tributary.contract.Topics;
import io.tributary.processor.alert.RuleSet;
import io.tributary.processor.alert.RulesFileWatcher;
import io.tributary.processor.alert.RulesParser;
import io.tributary.processor.config.AnalyticsConfig;
import io.tributary.processor.config.ProcessorConfig;
import io.tributary.processor.contract.TelemetryCheck;
import io.tributary.processor.enrich.DeviceLabelsReader;
import io.tributary.processor.kafka.KafkaClientProperties;
import io.tributary.processor.kafka.TopicCreator;
import io.tributary.processor.metrics.ProcessorMeters;
import io.tributary.processor.notify.WebhookNotifier;
import io.tributary.processor.rollup.WindowSize;
import io.tributary.processor.streams.StreamsEngine;
import io.tributary.processor.streams.TopologySettings;
import io.tributary.processor.writer.AlertPointMapper;
import io.tributary.processor.writer.DeviceHealthPointMapper;
import io.tributary.processor.writer.InfluxPointWriter;
import io.tributary.processor.writer.InfluxTopicWriter;
import io.tributary.processor.writer.KafkaDeadLetterPublisher;
import io.tributary.processor.writer.ReadingPointMapper;
import io.tributary.processor.writer.RecordMapper;
import io.tributary.processor.writer.RollupPointMapper;
import io.tributary.processor.writer.TimedPointWriter;

/**
 * The processor's parts, built from its config: the writer loops (readings, rollups, alerts), the alert webhook, the
 * Streams engine and the rules watcher, their meters bound. Building connects nothing yet; {@link Processor} runs them.
 */
final class ProcessorParts {

    /** One loop on its own thread. */
    record Worker(String name, String threadName, Runnable body, Runnable shutdown) {
    }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ProcessorParts.class);
    private static final Duration LABELS_LOAD_TIMEOUT = Duration.ofSeconds(30);

    private final ProcessorConfig config;
    private final TelemetryCheck contract;
    private final ProcessorMeters meters;
    final List<Worker> workers = new ArrayList<>();
    /** Clients handed to workers that have not run yet: closed by {@link #releaseUnstarted()} if the start fails. */
    private final List<AutoCloseable> unstartedClients = new ArrayList<>();
    StreamsEngine streams;
    /** The readings writers' device labels; null when no label is a tag ({@code enrichment.tags} empty). */
    DeviceLabelsReader labels;
    RulesFileWatcher rulesWatcher;

    private ProcessorParts(ProcessorConfig config, TelemetryCheck contract, ProcessorMeters meters) {
        this.config = config;
        this.contract = contract;
        this.meters = meters;
    }

    /**
     * Builds every part; on failure closes what was built and rethrows.
     *
     * @throws IllegalStateException if the alert rules file is invalid
     * @throws org.apache.kafka.common.KafkaException if the Kafka clients cannot be created from the config
     */
    static ProcessorParts build(ProcessorConfig config, TelemetryCheck contract, ProcessorMeters meters) {
        ProcessorParts parts = new ProcessorParts(config, contract, meters);
        Topics topics = config.topics();
        try {
            AnalyticsConfig analytics = config.analytics();
            int readingsWriters = analytics.readingsWriters();
            List<String> tags = config.enrichmentTags();
            if (!tags.isEmpty()) {
                parts.addLabelsReader();
            }
            for (int i = 1; i <= readingsWriters; i++) {
                String suffix = readingsWriters == 1 ? "" : "-" + i;
                parts.addWriter("readings", "Readings writer" + suffix, "tributary-influx-writer" + suffix,
                        config.consumerGroup(), topics.telemetry(), new ReadingPointMapper(contract,
                                Clock.systemUTC(), tags, tags.isEmpty() ? d -> Map.of() : parts.labels::labelsOf)::map);
            }
            if (analytics.enabled()) {
                TopicCreator.ensureAnalyticsTopics(config.kafkaClient(), topics.telemetry(), topics.deviceMetadata(),
                        topics.rollups(), topics.alerts(), topics.deviceHealth());
                Supplier<RuleSet> rules = parts.rules(analytics);
                parts.addWriter("rollups", "Rollups writer", "tributary-rollups-writer",
                        config.consumerGroup() + "-rollups", topics.rollups(), new RollupPointMapper(tags));
                parts.addWriter("alerts", "Alerts writer", "tributary-alerts-writer",
                        config.consumerGroup() + "-alerts", topics.alerts(), new AlertPointMapper(tags));
                if (analytics.healthEnabled()) {
                    parts.addWriter("health", "Device health writer", "tributary-health-writer",
                            config.consumerGroup() + "-health", topics.deviceHealth(), new DeviceHealthPointMapper(tags));
                }
                if (analytics.webhookUrl() != null) {
                    parts.addWebhook(analytics);
                }
                parts.streams = new StreamsEngine(new StreamsEngine.Settings(config.kafkaClient(),
                        parts.applicationId(), analytics.stateDir(), analytics.commitInterval(),
                        analytics.streamThreads(), KafkaClientProperties.streamsOverrides(config)),
                        parts.topologySettings(), rules, meters);
                meters.bindStreams(parts.streams.meterBinder(), parts.streams::metrics);
            }
        } catch (RuntimeException e) {
            parts.releaseUnstarted();
            throw e;
        }
        return parts;
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

    /** One topic writer loop: {@code name} in the log and probe tags, {@code key} in the meters. */
    private void addWriter(String key, String name, String threadName, String group, String topic,
            RecordMapper mapper) {
        KafkaConsumer<byte[], byte[]> consumer = consumer(key, group, true);
        KafkaDeadLetterPublisher deadLetters = deadLetters(group, config.influxRequestTimeout().multipliedBy(3),
                "processor/" + key);
        TimedPointWriter pointWriter = new TimedPointWriter(new InfluxPointWriter(config.influxUrl(),
                config.influxToken(), config.influxOrg(), config.influxBucket(), config.influxRequestTimeout(),
                config.analytics().influxGzip()), meters.writeTimer(key));
        unstartedClients.add(pointWriter);
        InfluxTopicWriter.Settings settings = new InfluxTopicWriter.Settings(config.maxPointsPerWrite(),
                config.pollTimeout(), config.retryBackoffInitial(), config.retryBackoffMax(), clientCloseTimeout());
        InfluxTopicWriter writer = new InfluxTopicWriter(name, mapper, consumer, topic, pointWriter, deadLetters,
                settings, meters.writer(key), Clock.systemUTC());
        Runnable body = writer;
        if (key.equals("readings") && labels != null) {
            body = () -> {
                awaitLabels();
                writer.run();
            };
        }
        workers.add(new Worker(name, threadName, body, writer::shutdown));
    }

    private void addLabelsReader() {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientProperties.metadataConsumer(config));
        unstartedClients.add(consumer);
        labels = new DeviceLabelsReader(consumer, config.topics().deviceMetadata(), config.pollTimeout());
        meters.bindMetadataInvalid("writer", labels, DeviceLabelsReader::invalidRecords);
        workers.add(new Worker("Device labels reader", "tributary-labels-reader", labels, labels::shutdown));
    }

    /**
     * Readings are stored with the labels their device has: a writer starts once the labels are read (a restart would
     * otherwise store the first seconds untagged), or after {@link #LABELS_LOAD_TIMEOUT} with those read so far.
     */
    private void awaitLabels() {
        try {
            if (!labels.awaitLoaded(LABELS_LOAD_TIMEOUT)) {
                log.warn("Device labels not loaded within {}: writing readings with the labels read so far",
                        LABELS_LOAD_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void addWebhook(AnalyticsConfig analytics) {
        String group = analytics.webhookGroup() != null ? analytics.webhookGroup()
                : config.consumerGroup() + "-webhook";
        WebhookNotifier webhook = new WebhookNotifier(consumer("webhook", group, false), config.topics().alerts(),
                analytics.webhookUrl(), new WebhookNotifier.Settings(config.pollTimeout(),
                        config.retryBackoffInitial(), config.retryBackoffMax(), config.influxRequestTimeout(),
                        clientCloseTimeout()),
                deadLetters(group, config.influxRequestTimeout(), "processor/webhook"));
        meters.bindWebhook(webhook);
        workers.add(new Worker("Alert webhook", "tributary-alert-webhook", webhook, webhook::shutdown));
    }

    private KafkaConsumer<byte[], byte[]> consumer(String key, String group, boolean exportLag) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientProperties.consumer(config, group));
        unstartedClients.add(consumer);
        meters.bindConsumer(key, consumer, exportLag);
        return consumer;
    }

    private KafkaDeadLetterPublisher deadLetters(String group, Duration sendTimeout, String origin) {
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientProperties.producer(config, group + "-deadletter"));
        unstartedClients.add(producer);
        meters.bindProducer(producer);
        return new KafkaDeadLetterPublisher(producer, config.topics().deadLetter(), sendTimeout, clientCloseTimeout(),
                origin);
    }

    private Duration clientCloseTimeout() {
        return config.closeTimeout().dividedBy(3);
    }

    private String applicationId() {
        String id = config.analytics().applicationId();
        return id != null ? id : config.consumerGroup() + "-streams";
    }

    private TopologySettings topologySettings() {
        AnalyticsConfig a = config.analytics();
        Topics topics = config.topics();
        return new TopologySettings(topics.telemetry(), topics.deviceMetadata(), topics.rollups(), topics.alerts(),
                a.rollupWindows().stream().map(WindowSize::of).toList(), a.rollupGrace(), a.punctuateInterval(),
                config.inputContract().maxEventFuture(), config.inputContract().maxSensorsPerDevice(),
                TopologySettings.DEFAULT_MAX_WINDOW_ENTRY_BYTES, contract,
                a.healthEnabled() ? topics.deviceHealth() : null, a.healthInterval());
    }

    /** The workers now own their clients: nothing is left to release. */
    void started() {
        unstartedClients.clear();
    }

    /** Closes what was built for workers that never ran, and the rules watcher and Streams. */
    void releaseUnstarted() {
        for (AutoCloseable client : unstartedClients) {
            try {
                if (client instanceof KafkaConsumer<?, ?> consumer) {
                    consumer.close(CloseOptions.timeout(Duration.ZERO));
                } else if (client instanceof KafkaProducer<?, ?> producer) {
                    producer.close(Duration.ZERO);
                } else {
                    client.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        unstartedClients.clear();
        if (rulesWatcher != null) {
            rulesWatcher.close();
        }
        if (streams != null) {
            streams.close(Duration.ofSeconds(5));
        }
    }
}
