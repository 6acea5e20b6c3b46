package io.tributary.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.gson.JsonObject;

import io.tributary.contract.metadata.DeviceLabels;
import io.tributary.localstack.LocalStack;
import io.tributary.processor.config.AnalyticsConfig;
import io.tributary.testing.kafka.TestProducers;
import io.tributary.testing.TestResources;
import io.tributary.testing.batch.TestBatches;

/**
 * Enrichment end to end (in-JVM Kafka, influxd, the real {@link Processor}): readings, rollups and alerts stored with
 * their device's labels as tags, a label-scoped rule, and how long a label change takes to reach the stored readings.
 */
class EnrichmentIT {

    private static final Logger log = LoggerFactory.getLogger(EnrichmentIT.class);
    static final String PREFIX = "it-en.";
    static final String DB = "it_en";
    static LocalStack stack;
    static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start();
        AnalyticsIT.stack = stack;
        producer = TestProducers.bytes(stack.kafkaBootstrapServers());
    }

    @AfterAll
    static void stopStack() {
        TestResources.closeAll(producer, stack);
    }

    @Test
    void shouldStoreLabelsAsTagsAndApplyALabelChangeToTheReadingsStoredAfterItWithinTwoSeconds(@TempDir Path dir)
            throws Exception {
        stack.createTopics(1, PREFIX + "telemetry", PREFIX + "deadletter");
        AnalyticsIT.influxQuery(null, "CREATE DATABASE " + DB);
        label("dev-0", "plant-0");
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "rules: [{name: hot, sensor: temp, above: 80, match: {kind: motor}}]\n");
        try (Processor processor = new Processor(AnalyticsIT.config(PREFIX, "it-en-writer", DB).toBuilder()
                .enrichmentTags(List.of("site", "kind"))
                .analytics(AnalyticsConfig.builder().rollups(List.of(Duration.ofSeconds(1)), Duration.ofMillis(500))
                        .punctuateInterval(Duration.ofMillis(100)).alertRules(rules, Duration.ofMillis(200))
                        .build()).build())) {
            processor.start();
            await().atMost(AnalyticsIT.DEADLINE).until(processor::isReady);
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread sender = new Thread(() -> sendEvery20Ms(sending), "enrichment-it-sender");
            sender.start();
            try {
                // Tags on all three measurements; a device without metadata still flows; the rule selects by label.
                await().atMost(AnalyticsIT.DEADLINE).untilAsserted(() -> {
                    assertThat(values("SHOW TAG VALUES FROM readings WITH KEY = site WHERE device = 'dev-0'"))
                            .contains("plant-0");
                    assertThat(values("SHOW TAG VALUES FROM rollups WITH KEY = kind WHERE device = 'dev-0'"))
                            .containsExactly("motor");
                    assertThat(values("SHOW TAG VALUES FROM alerts WITH KEY = site")).containsExactly("plant-0");
                    assertThat(values("SHOW TAG VALUES FROM readings WITH KEY = device")).contains("dev-1");
                });
                assertThat(values("SHOW TAG VALUES FROM readings WITH KEY = site WHERE device = 'dev-1'")).isEmpty();
                assertThat(values("SHOW TAG VALUES FROM alerts WITH KEY = device")).containsExactly("dev-0");

                List<Long> millis = new ArrayList<>();
                for (int i = 1; i <= 10; i++) {
                    String site = "plant-" + i;
                    long changed = System.nanoTime();
                    label("dev-0", site);
                    await().atMost(AnalyticsIT.DEADLINE).pollInterval(Duration.ofMillis(10)).until(() -> !values(
                            "SHOW TAG VALUES FROM readings WITH KEY = device WHERE site = '" + site + "'").isEmpty());
                    millis.add((System.nanoTime() - changed) / 1_000_000);
                }
                List<Long> sorted = millis.stream().sorted().toList();
                long median = sorted.get(sorted.size() / 2);
                log.info("Label change to stored readings [changes: {}, median: {} ms, max: {} ms, all: {}]",
                        sorted.size(), median, sorted.get(sorted.size() - 1), millis);
                assertThat(median).as("median ms from a label change to a stored reading carrying it: %s", millis)
                        .isLessThan(2_000);
            } finally {
                sending.set(false);
                sender.join(5_000);
            }
        }
    }

    /** Two devices, a hot reading every 20 ms each, event time now: dev-0 has labels, dev-1 none. */
    static void sendEvery20Ms(AtomicBoolean sending) {
        long seq = 0;
        try {
            while (sending.get()) {
                seq++;
                for (String device : List.of("dev-0", "dev-1")) {
                    TestProducers.send(producer, PREFIX + "telemetry", TestBatches.batch(device).seq(seq)
                            .add(TestBatches.reading("temp", 90, TestBatches.nowNanos())).build());
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void label(String device, String site) throws Exception {
        producer.send(new ProducerRecord<>(PREFIX + "device-metadata", device.getBytes(StandardCharsets.UTF_8),
                new DeviceLabels(device, Map.of("site", site, "kind", "motor"), Instant.now()).toJson())).get();
    }

    /** The values of the first series of an InfluxQL answer (column 1: SHOW TAG VALUES' value). */
    static List<String> values(String statement) throws Exception {
        JsonObject result = AnalyticsIT.influxQuery(DB, statement).getAsJsonArray("results").get(0).getAsJsonObject();
        List<String> values = new ArrayList<>();
        if (result.has("series")) {
            result.getAsJsonArray("series").forEach(series -> series.getAsJsonObject().getAsJsonArray("values")
                    .forEach(row -> values.add(row.getAsJsonArray().get(1).getAsString())));
        }
        return values;
    }
}
