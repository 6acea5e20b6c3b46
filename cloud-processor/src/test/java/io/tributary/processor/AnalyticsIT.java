package io.tributary.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;

import io.tributary.localstack.LocalStack;
import io.tributary.processor.config.AnalyticsConfig;
import io.tributary.processor.config.ProcessorConfig;
import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.Rollup;
import io.tributary.testing.TestResources;
import io.tributary.testing.batch.TestBatches;
import io.tributary.testing.kafka.KafkaTestTopics;
import io.tributary.testing.kafka.TestProducers;

/**
 * Rollups and alerts from telemetry on Kafka to InfluxDB, on the local stack (in-JVM Kafka, influxd 1.6), through
 * the real {@link Processor}: Streams with exactly_once_v2, the rollups and alerts writers, the webhook, /metrics.
 */
class AnalyticsIT {

    static final Duration DEADLINE = Duration.ofSeconds(60);
    static LocalStack stack;
    static KafkaProducer<byte[], byte[]> producer;
    static final HttpClient http = HttpClient.newHttpClient();

    final List<Processor> processors = new ArrayList<>();
    HttpServer webhook;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start();
        producer = TestProducers.bytes(stack.kafkaBootstrapServers());
    }

    @AfterAll
    static void stopStack() {
        TestResources.closeAll(producer, stack);
    }

    @AfterEach
    void stopAll() {
        processors.forEach(Processor::close);
        if (webhook != null) {
            webhook.stop(0);
        }
    }

    @Test
    void shouldStoreEachClosedWindowOnceAndEachAlertTransitionOnceAndNotifyTheWebhook(@TempDir Path dir)
            throws Exception {
        String prefix = "it-an.";
        String db = "it_an";
        stack.createTopics(3, prefix + "telemetry", prefix + "deadletter");
        influxQuery(null, "CREATE DATABASE " + db);
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, """
                rules:
                  - {name: hot, device: "dev-0", sensor: temp, above: 80, clear: 70, severity: critical}
                """);
        List<String> keys = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        webhook.createContext("/hook", ex -> {
            keys.add(ex.getRequestHeaders().getFirst("Idempotency-Key"));
            ex.getRequestBody().readAllBytes();
            // The first POST fails: it must be retried with the same key.
            ex.sendResponseHeaders(calls.incrementAndGet() == 1 ? 503 : 204, -1);
            ex.close();
        });
        webhook.start();

        Processor processor = new Processor(config(prefix, "it-an-writer", db)
                .toBuilder().analytics(AnalyticsConfig.builder()
                        .rollups(List.of(Duration.ofSeconds(1)), Duration.ofSeconds(2))
                        .punctuateInterval(Duration.ofMillis(100))
                        .alertRules(rules, Duration.ofMillis(200))
                        .webhook("http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook", null)
                        .health(true, Duration.ofMillis(300))
                        .http("127.0.0.1", 0).build()).build());
        processors.add(processor);
        processor.start();
        await().atMost(DEADLINE).until(processor::isReady);

        // 3 devices x 12 batches, one reading each, event time = now (so nothing is late).
        int readings = 0;
        Set<String> windows = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            long nowMs = System.currentTimeMillis();
            for (int d = 0; d < 3; d++) {
                double value = d == 0 && i == 4 ? 95 : d == 0 && i == 8 ? 65 : 50;
                send(prefix, "dev-" + d, i + 1, Reading.newBuilder().setSensor("temp").setValue(value)
                        .setEventTimeUnixNanos(nowMs * 1_000_000L + d).build());
                readings++;
                windows.add("dev-" + d + "@" + nowMs / 1000);
            }
            Thread.sleep(150);
        }

        await().atMost(DEADLINE).until(() -> sumRollupCounts(db) == 36);
        assertThat(readings).isEqualTo(36);
        // Each closed window was emitted exactly once to the rollups topic (read_committed).
        List<Rollup> emitted = readAll(prefix + "rollups", windows.size()).stream().map(r -> {
            try {
                return Rollup.parseFrom(r.value());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(emitted).hasSize(windows.size());
        assertThat(emitted.stream().map(r -> r.getDeviceId() + "@" + r.getWindowStartUnixNanos() / 1_000_000_000L))
                .containsExactlyInAnyOrderElementsOf(windows);
        assertThat(processor.analyticsMetrics().lateReadings()).isZero();

        // Alerts: one FIRING, one RESOLVED (the value 65 is below clear 70), in InfluxDB and on the topic.
        await().atMost(DEADLINE).until(() -> alertStates(db).size() == 2);
        assertThat(alertStates(db)).containsExactly("firing", "resolved");
        List<AlertEvent> alerts = readAll(prefix + "alerts", 2).stream().map(r -> {
            try {
                return AlertEvent.parseFrom(r.value());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(alerts).extracting(AlertEvent::getState)
                .containsExactly(AlertEvent.AlertState.FIRING, AlertEvent.AlertState.RESOLVED);

        // Webhook: 3 POSTs (first retried after 503), two distinct idempotency keys.
        await().atMost(DEADLINE).until(() -> keys.size() == 3);
        assertThat(keys.get(0)).isEqualTo(keys.get(1)).startsWith("dev-0/hot/temp/firing/");
        assertThat(keys.get(2)).startsWith("dev-0/hot/temp/resolved/");

        // Device health: every device's 12 batches, in sequence (device_health, last point).
        await().atMost(DEADLINE).until(() -> lastHealth(db, "dev-1", "batches") == 12);
        assertThat(lastHealth(db, "dev-1", "last_seq")).isEqualTo(12);
        assertThat(lastHealth(db, "dev-1", "gaps")).isZero();
        assertThat(lastHealth(db, "dev-1", "duplicates")).isZero();

        // Operations endpoint.
        int port = processor.httpPort().orElseThrow();
        String metrics = get(port, "/metrics").body();
        assertThat(metrics).contains("tributary_processor_alert_transitions_total{state=\"firing\"} 1")
                .contains("tributary_processor_points_written_total{writer=\"rollups\"} " + windows.size())
                .contains("tributary_processor_late_readings_total 0");
        assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldCountLateReadingsAndStillStoreThemRaw() throws Exception {
        String prefix = "it-late.";
        String db = "it_late";
        stack.createTopics(1, prefix + "telemetry", prefix + "deadletter");
        influxQuery(null, "CREATE DATABASE " + db);
        Processor processor = new Processor(config(prefix, "it-late-writer", db)
                .toBuilder().analytics(AnalyticsConfig.builder()
                        .rollups(List.of(Duration.ofSeconds(1)), Duration.ofSeconds(2))
                        .punctuateInterval(Duration.ofMillis(100)).build()).build());
        processors.add(processor);
        processor.start();
        long oldMs = System.currentTimeMillis() - 60_000;
        send(prefix, "late-dev", 1, Reading.newBuilder().setSensor("temp").setValue(1)
                .setEventTimeUnixNanos(oldMs * 1_000_000L).build());
        await().atMost(DEADLINE).until(() -> processor.analyticsMetrics().lateReadings() == 1);
        await().atMost(DEADLINE).until(() -> processor.metrics().readingsWritten() == 1);
        assertThat(series(db, "SELECT count(value) FROM readings")).hasSize(1);
        assertThat(processor.rollupWriterMetrics().readingsWritten()).isZero();
    }

    @Test
    void shouldHoldRollupsAndAlertsUncommittedWhileInfluxRefusesAndStoreThemOnceAfterwards(@TempDir Path dir)
            throws Exception {
        String prefix = "it-down-an.";
        String db = "it_down_an"; // does not exist yet: every write gets 404 and is retried
        stack.createTopics(2, prefix + "telemetry", prefix + "deadletter");
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "rules: [{name: flip, sensor: temp, above: 50, clear: 40}]\n");
        Processor processor = new Processor(config(prefix, "it-down-an-writer", db)
                .toBuilder().analytics(AnalyticsConfig.builder()
                        .rollups(List.of(Duration.ofSeconds(1)), Duration.ofSeconds(2))
                        .punctuateInterval(Duration.ofMillis(100))
                        .alertRules(rules, Duration.ofMillis(200)).build()).build());
        processors.add(processor);
        processor.start();
        await().atMost(DEADLINE).until(processor::isReady);
        Set<String> windows = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            long nowMs = System.currentTimeMillis();
            for (int d = 0; d < 2; d++) {
                send(prefix, "dev-" + d, i + 1, Reading.newBuilder().setSensor("temp").setValue(i % 2 == 0 ? 60 : 30)
                        .setEventTimeUnixNanos(nowMs * 1_000_000L + d).build());
                windows.add("dev-" + d + "@" + nowMs / 1000);
            }
            Thread.sleep(100);
        }
        await().atMost(DEADLINE).until(() -> processor.rollupWriterMetrics().retryableWriteFailures() >= 3
                && processor.alertWriterMetrics().retryableWriteFailures() >= 3);
        assertThat(processor.rollupWriterMetrics().offsetCommits()).isZero();
        assertThat(processor.alertWriterMetrics().offsetCommits()).isZero();
        assertThat(processor.rollupWriterMetrics().deadLettered()).isZero();

        influxQuery(null, "CREATE DATABASE " + db); // InfluxDB accepts writes again

        await().atMost(DEADLINE).until(() -> sumRollupCounts(db) == 16);
        await().atMost(DEADLINE).until(() -> alertStates(db).size() == 16);
        assertThat(processor.rollupWriterMetrics().readingsWritten()).isEqualTo(windows.size());
        assertThat(processor.alertWriterMetrics().readingsWritten()).isEqualTo(16);
        assertThat(processor.alertWriterMetrics().deadLettered()).isZero();
    }

    @Test
    void shouldRefuseToStartWithAnInvalidRulesFile(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "rules: [{name: broken, above: warm}]\n");
        Processor processor = new Processor(config("it-badrules.", "it-badrules-writer", "it_badrules")
                .toBuilder().analytics(AnalyticsConfig.builder().alertRules(rules, Duration.ofSeconds(1)).build()).build());
        processors.add(processor);
        org.assertj.core.api.Assertions.assertThatThrownBy(processor::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("alerts.rules-file").hasMessageContaining("'above' must be a finite number");
        assertThat(processor.isRunning()).isFalse();
        assertThat(processor.awaitTermination(Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void shouldLoseNothingAndDoubleNothingWhenInfluxGoesDownMidStream(@TempDir Path dir) throws Exception {
        String prefix = "it-outage.";
        String db = "it_outage";
        stack.createTopics(2, prefix + "telemetry", prefix + "deadletter");
        influxQuery(null, "CREATE DATABASE " + db);
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "rules: [{name: flip, sensor: temp, above: 50, clear: 40}]\n");
        try (SwitchableHttpProxy influx = new SwitchableHttpProxy(stack.influxUrl())) {
            Processor processor = new Processor(ProcessorConfig.builder().kafkaBootstrapServers(stack.kafkaBootstrapServers())
                .topicPrefix(prefix).consumerGroup("it-outage-writer")
                .influx(influx.url(), stack.influxToken(), stack.influxOrg(), db).maxPointsPerWrite(5_000)
                    .pollTimeout(Duration.ofMillis(200))
                    .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
                    .influxRequestTimeout(Duration.ofSeconds(2))
                    .closeTimeout(Duration.ofSeconds(8))
                    .analytics(AnalyticsConfig.builder()
                            .rollups(List.of(Duration.ofSeconds(1)), Duration.ofSeconds(2))
                            .punctuateInterval(Duration.ofMillis(100))
                            .alertRules(rules, Duration.ofMillis(200)).build()).build());
            processors.add(processor);
            processor.start();
            await().atMost(DEADLINE).until(processor::isReady);
            Set<String> windows = new HashSet<>();
            int readings = 0;
            for (int i = 0; i < 30; i++) {
                if (i == 8) {
                    influx.stop(); // InfluxDB unreachable mid-stream
                }
                if (i == 22) {
                    await().atMost(DEADLINE).until(() -> processor.metrics().retryableWriteFailures() >= 2
                            && processor.rollupWriterMetrics().retryableWriteFailures() >= 1
                            && processor.alertWriterMetrics().retryableWriteFailures() >= 1);
                    influx.start(); // back on the same address
                }
                long nowMs = System.currentTimeMillis();
                for (int d = 0; d < 2; d++) {
                    send(prefix, "dev-" + d, i + 1, Reading.newBuilder().setSensor("temp")
                            .setValue(i % 2 == 0 ? 60 : 30).setEventTimeUnixNanos(nowMs * 1_000_000L + d).build());
                    windows.add("dev-" + d + "@" + nowMs / 1000);
                    readings++;
                }
                Thread.sleep(100);
            }
            int expected = readings;
            await().atMost(DEADLINE).until(() -> processor.metrics().readingsWritten() >= expected);
            assertThat(series(db, "SELECT count(value) FROM readings").get(0).getAsJsonObject().getAsJsonArray("values")
                    .get(0).getAsJsonArray().get(1).getAsLong()).isEqualTo(expected);
            assertThat(processor.analyticsMetrics().lateReadings()).isZero();
            await().atMost(DEADLINE).until(() -> sumRollupCounts(db) == expected);
            await().atMost(DEADLINE).until(() -> alertStates(db).size() == expected);
            // Nothing doubled upstream either: one rollup per window and one event per transition on the topics.
            assertThat(readAll(prefix + "rollups", windows.size())).hasSize(windows.size());
            assertThat(readAll(prefix + "alerts", expected)).hasSize(expected);
            assertThat(processor.metrics().deadLettered() + processor.rollupWriterMetrics().deadLettered()
                    + processor.alertWriterMetrics().deadLettered()).isZero();
        }
    }

    @Test
    void shouldNeitherStopNorFreezeRollupsForHugeValuesFarFutureTimesOrNaN() throws Exception {
        String prefix = "it-hostile.";
        String db = "it_hostile";
        stack.createTopics(1, prefix + "telemetry", prefix + "deadletter"); // one partition: everyone shares it
        influxQuery(null, "CREATE DATABASE " + db);
        Processor processor = new Processor(config(prefix, "it-hostile-writer", db)
                .toBuilder().analytics(AnalyticsConfig.builder()
                        .rollups(List.of(Duration.ofSeconds(1)), Duration.ofSeconds(2))
                        .punctuateInterval(Duration.ofMillis(100)).build()).build());
        processors.add(processor);
        processor.start();
        await().atMost(DEADLINE).until(processor::isReady);

        long nowNanos = System.currentTimeMillis() * 1_000_000L;
        // Two readings of 1e308: their sum is Infinity, which once stopped the processor when the window closed.
        send(prefix, "dev-huge", 1, reading(1e308, nowNanos), reading(1e308, nowNanos + 1));
        // One reading dated 2200: once moved the partition's watermark for good (every honest reading late).
        send(prefix, "dev-2200", 1, reading(1, Instant.parse("2200-01-01T00:00:00Z").getEpochSecond()
                * 1_000_000_000L));
        // A NaN among valid readings: the whole batch breaks the contract.
        send(prefix, "dev-nan", 1, reading(1, nowNanos), reading(Double.NaN, nowNanos + 1));
        int honest = 0;
        for (int i = 0; i < 10; i++) {
            send(prefix, "dev-ok", i + 1, reading(20 + i, System.currentTimeMillis() * 1_000_000L));
            honest++;
            Thread.sleep(150);
        }
        int expectedHonest = honest;

        await().atMost(DEADLINE).until(() -> rollupCount(db, "dev-ok") == expectedHonest);
        await().atMost(DEADLINE).until(() -> rollupCount(db, "dev-huge") == 2);
        JsonArray huge = series(db, "SELECT mean, max FROM rollups WHERE device = 'dev-huge'");
        assertThat(huge.get(0).getAsJsonObject().getAsJsonArray("values").get(0).getAsJsonArray().get(1)
                .getAsDouble()).isEqualTo(1e308);
        assertThat(processor.isRunning()).isTrue();
        assertThat(processor.failure()).isEmpty();
        assertThat(processor.analyticsMetrics().lateReadings()).isZero();
        assertThat(processor.analyticsMetrics().contractViolations())
                .containsEntry("event_time_in_future", 1L).containsEntry("value_not_finite", 1L);
        assertThat(processor.metrics().deadLetteredByReason()).containsEntry("contract-violation", 2L);
        assertThat(processor.metrics().deadLettered()).isEqualTo(2L);
        assertThat(processor.metrics().contractViolations())
                .isEqualTo(Map.of("event_time_in_future", 1L, "value_not_finite", 1L));
        assertThat(processor.rollupWriterMetrics().deadLettered()).isZero();
        assertThat(rollupCount(db, "dev-2200") + rollupCount(db, "dev-nan")).isZero();
    }

    static Reading reading(double value, long eventTimeNanos) {
        return Reading.newBuilder().setSensor("temp").setValue(value).setEventTimeUnixNanos(eventTimeNanos).build();
    }

    static long rollupCount(String db, String device) throws Exception {
        JsonArray s = series(db, "SELECT sum(\"count\") FROM rollups WHERE device = '" + device + "'");
        return s.isEmpty() ? 0 : s.get(0).getAsJsonObject().getAsJsonArray("values").get(0).getAsJsonArray().get(1)
                .getAsLong();
    }

    // --- helpers ---

    static ProcessorConfig config(String prefix, String group, String db) {
        return ProcessorConfig.builder().kafkaBootstrapServers(stack.kafkaBootstrapServers())
                .topicPrefix(prefix).consumerGroup(group)
                .influx(stack.influxUrl(), stack.influxToken(), stack.influxOrg(), db).maxPointsPerWrite(5_000)
                .pollTimeout(Duration.ofMillis(200))
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .influxRequestTimeout(Duration.ofSeconds(5))
                .closeTimeout(Duration.ofSeconds(8)).build();
    }

    static void send(String prefix, String device, long seq, Reading... readings) throws Exception {
        TestProducers.send(producer, prefix + "telemetry",
                TestBatches.batch(device).seq(seq).addAll(List.of(readings)).build()).get();
    }

    static long sumRollupCounts(String db) throws Exception {
        JsonArray s = series(db, "SELECT sum(\"count\") FROM rollups");
        return s.isEmpty() ? 0 : s.get(0).getAsJsonObject().getAsJsonArray("values").get(0).getAsJsonArray().get(1)
                .getAsLong();
    }

    static long lastHealth(String db, String device, String field) throws Exception {
        JsonArray s = series(db, "SELECT \"" + field + "\" FROM device_health WHERE device = '" + device
                + "' ORDER BY time DESC LIMIT 1");
        return s.isEmpty() ? -1 : s.get(0).getAsJsonObject().getAsJsonArray("values").get(0).getAsJsonArray().get(1)
                .getAsLong();
    }

    static List<String> alertStates(String db) throws Exception {
        List<String> states = new ArrayList<>();
        for (JsonElement s : series(db, "SELECT state FROM alerts")) {
            for (JsonElement row : s.getAsJsonObject().getAsJsonArray("values")) {
                states.add(row.getAsJsonArray().get(1).getAsString());
            }
        }
        return states;
    }

    static JsonArray series(String db, String q) throws Exception {
        JsonObject first = influxQuery(db, q).getAsJsonArray("results").get(0).getAsJsonObject();
        assertThat(first.has("error")).as("InfluxQL error: %s", first).isFalse();
        return first.has("series") ? first.getAsJsonArray("series") : new JsonArray();
    }

    static JsonObject influxQuery(String db, String statement) throws Exception {
        String query = "q=" + URLEncoder.encode(statement, StandardCharsets.UTF_8) + "&epoch=ns"
                + (db == null ? "" : "&db=" + db);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.influxDirectUrl()
                + "/query")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(query)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Every committed record of a topic; waits for at least {@code expected}, then half a second for extras. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        return KafkaTestTopics.awaitRecords(stack.kafkaBootstrapServers(), topic, expected, DEADLINE, true);
    }
}
