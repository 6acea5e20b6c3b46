package io.tributary.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;

import io.tributary.localstack.LocalStack;
import io.tributary.processor.config.AnalyticsConfig;
import io.tributary.processor.config.ProcessorConfig;
import io.tributary.proto.v1.AlertEvent;
import io.tributary.testing.TestResources;
import io.tributary.testing.batch.TestBatches;
import io.tributary.testing.kafka.TestProducers;

/**
 * Two processor instances share the partitions; one runs in a child JVM and is killed with SIGKILL mid-stream. Every
 * reading in this test causes exactly one alert transition, so the alerts topic (read_committed) and InfluxDB must
 * hold exactly one event per reading: nothing lost, nothing doubled.
 */
class FailoverIT {

    static final Duration DEADLINE = Duration.ofSeconds(90);
    static LocalStack stack;
    static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start();
        AnalyticsIT.stack = stack;
        producer = TestProducers.bytes(stack.kafkaBootstrapServers(), Map.of(ProducerConfig.LINGER_MS_CONFIG, "5"));
    }

    @AfterAll
    static void stopStack() {
        TestResources.closeAll(producer, stack);
    }

    @Test
    void shouldNeitherLoseNorDuplicateAlertsWhenAnInstanceIsKilled(@TempDir Path dir) throws Exception {
        String prefix = "it-kill.";
        String db = "it_kill";
        String group = "it-kill-writer";
        stack.createTopics(4, prefix + "telemetry", prefix + "deadletter");
        AnalyticsIT.influxQuery(null, "CREATE DATABASE " + db);
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "rules: [{name: flip, sensor: temp, above: 50, clear: 40, severity: warning}]\n");

        // Instance B: a separate JVM running the real command line.
        int httpPort = freePort();
        Path log = dir.resolve("instance-b.log");
        Process b = new ProcessBuilder(javaBin(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ProcessorMain.class.getName(),
                "--kafka-bootstrap", stack.kafkaBootstrapServers(), "--topic-prefix", prefix, "--group", group,
                "--influx-url", stack.influxUrl(), "--influx-token", stack.influxToken(),
                "--influx-org", stack.influxOrg(), "--influx-bucket", db, "--rules", rules.toString(),
                "--http-port", Integer.toString(httpPort), "--set", "kafka.session-timeout=6s",
                "--set", "rollups.windows=1s", "--set", "rollups.grace=2s",
                // A SIGKILLed instance cannot remove its state dir: keep it where JUnit cleans up.
                "--set", "streams.state-dir=" + dir.resolve("state-b"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Processor a = new Processor(AnalyticsIT.config(prefix, group, db)
                    .toBuilder().consumerOverrides(Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000"))
                    .analytics(AnalyticsConfig.builder()
                            .stateDir(dir.resolve("state-a"))
                            .rollups(List.of(Duration.ofSeconds(1)), Duration.ofSeconds(2))
                        .alertRules(rules, Duration.ofSeconds(1)).build()).build());
        try {
            a.start();
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(DEADLINE).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200 && a.isReady());

            int devices = 16;
            long base = System.currentTimeMillis();
            int sent = 0;
            double processedByB = 0;
            long killAt = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            long stopAt = System.nanoTime() + Duration.ofSeconds(7).toNanos();
            for (int i = 0; System.nanoTime() < stopAt; i++) {
                for (int d = 0; d < devices; d++) {
                    String device = "dev-" + d;
                    // Alternating 60 / 30: every reading is a transition (FIRING, RESOLVED, FIRING, ...).
                    TestProducers.send(producer, prefix + "telemetry", TestBatches.batch(device).seq(i + 1)
                            .add(TestBatches.reading("temp", i % 2 == 0 ? 60 : 30, (base + i) * 1_000_000L)).build());
                    sent++;
                }
                producer.flush();
                if (b.isAlive() && System.nanoTime() > killAt) {
                    String metricsOfB = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                            + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                    processedByB = metricsOfB.lines()
                            .filter(l -> l.startsWith("tributary_processor_readings_processed_total "))
                            .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).sum();
                    b.destroyForcibly(); // SIGKILL: no commit, no close, open transactions left behind
                    b.waitFor();
                }
                Thread.sleep(40);
            }
            assertThat(b.isAlive()).isFalse();
            assertThat(processedByB).as("instance B did part of the work before it was killed").isPositive();
            assertThat(a.meters().count("readings.processed")).as("instance A did part of the work").isPositive();
            int expected = sent;

            List<ConsumerRecord<byte[], byte[]>> records = AnalyticsIT.readAll(prefix + "alerts", expected);
            Set<String> unique = new HashSet<>();
            List<String> all = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                AlertEvent e = AlertEvent.parseFrom(r.value());
                String id = e.getDeviceId() + "@" + e.getTransitionTimeUnixNanos() + ":" + e.getState();
                all.add(id);
                unique.add(id);
            }
            assertThat(unique).as("no alert lost").hasSize(expected);
            assertThat(all).as("no alert duplicated").hasSize(expected);

            await().atMost(DEADLINE).until(() -> alertsInInflux(db) == expected);
        } finally {
            b.destroyForcibly();
            a.close();
        }
    }

    static long alertsInInflux(String db) throws Exception {
        JsonArray s = AnalyticsIT.series(db, "SELECT count(\"value\") FROM alerts");
        return s.isEmpty() ? 0 : s.get(0).getAsJsonObject().getAsJsonArray("values").get(0).getAsJsonArray().get(1)
                .getAsLong();
    }

    static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
