package io.tributary.gateway;

import static io.tributary.testing.batch.TestBatches.batch;
import static io.tributary.testing.mqtt.MqttTestClients.telemetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.GatewayMetrics.Level;
import io.tributary.gateway.metrics.MicrometerGatewayMetrics;
import io.tributary.localstack.kafka.EmbeddedKafka;
import io.tributary.testing.kafka.KafkaTestTopics;
import io.tributary.testing.mqtt.MqttTestClients;
import io.tributary.testing.mqtt.RawMqttPublisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backpressure against the real Kafka broker: a device publishes QoS 1 as fast as TCP lets it while Kafka goes away.
 * The gateway stops reading its socket once the bytes waiting for Kafka reach the pause mark, so the device's writes
 * stall in TCP and the gateway holds no more than the mark; when Kafka is back the gateway reads on by itself, and
 * every publish it acknowledged is in Kafka.
 */
class BackpressureIT {

    private static final String PREFIX = "backpressure.";
    private static final String DEVICE = "bp-dev-1";
    private static final long PAUSE_BYTES = 256 * 1024;
    private static final int READINGS = 25; // ~1 KB per batch
    private static final Duration STALLED = Duration.ofSeconds(2);

    @TempDir
    Path kafkaDir;

    @Test
    void stopsReadingWhileKafkaIsDownAndResumesByItselfLosingNothingAcknowledged() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir);
        kafka.createTopics(3, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "device-status");
        Gateway gateway = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .httpPort(0)
                .kafkaBootstrapServers(kafka.bootstrapServers())
                .topicPrefix(PREFIX)
                .verticleInstances(1)
                // The device's window is not what stops it here: only the gateway's backpressure is
                .maxInFlightPerConnection(65535)
                // ... nor its publish quota: this device floods on purpose (DeviceFairnessTest covers the quota)
                .deviceLimits(new DeviceLimits(0, 1, 0, 1, 1000, 256 * 1024, 64))
                .maxInFlightBytes(64L * 1024 * 1024)
                .pauseInFlightBytes(PAUSE_BYTES)
                // Long enough that nothing fails during the outage: every publish waits for Kafka's return
                .kafkaDeliveryTimeout(Duration.ofSeconds(120))
                .shutdownTimeout(Duration.ofSeconds(1)).build());
        MicrometerGatewayMetrics metrics = gateway.metrics();
        int payloadBytes = batch(DEVICE, 1, READINGS).getSerializedSize();
        Set<Long> acknowledged;
        try {
            gateway.start().toCompletableFuture().join();
            try (RawMqttPublisher device = RawMqttPublisher.connect(gateway.mqttPort(), DEVICE, telemetry(DEVICE),
                    seq -> batch(DEVICE, seq, READINGS).toByteArray())) {
                // Given a working pipeline
                device.stopAfter(200).start();
                await().atMost(Duration.ofSeconds(30)).until(() -> device.acknowledged().size() == 200);
                assertThat(metrics.total(Counted.READ_PAUSES)).as("no pause while Kafka keeps up with 200 KB").isZero();

                // When Kafka goes away while the device keeps publishing
                kafka.close();
                device.stopAfter(Long.MAX_VALUE);

                // Then the gateway pauses the connection and its writes stall
                await().atMost(Duration.ofSeconds(60)).until(() -> metrics.level(Level.CONNECTIONS_PAUSED) == 1);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> System.nanoTime() - device.lastProgressNanos() > STALLED.toNanos());
                long received = metrics.total(Counted.PUBLISHES_RECEIVED);
                long written = device.written();
                await().during(STALLED).atMost(STALLED.multipliedBy(3)).until(() ->
                        metrics.total(Counted.PUBLISHES_RECEIVED) == received && device.written() == written);
                System.out.printf("Paused while Kafka is down: device wrote %d publishes (%d bytes), gateway read %d,"
                        + " %d bytes in flight (pause mark %d)%n", written, device.writtenBytes(), received,
                        metrics.level(Level.KAFKA_INFLIGHT_BYTES), PAUSE_BYTES);
                assertThat(device.failure()).isNull();
                assertThat(device.acknowledged()).hasSize(200);
                // Memory bounded: what waits for Kafka is the pause mark plus the one publish that crossed it
                assertThat(metrics.level(Level.KAFKA_INFLIGHT_BYTES))
                        .isBetween(PAUSE_BYTES, PAUSE_BYTES + payloadBytes + 1024);
                assertThat(received - 200).isLessThanOrEqualTo(PAUSE_BYTES / payloadBytes + 1);
                assertThat(written).as("the rest waits in TCP buffers, not in the gateway").isGreaterThan(received);
                assertThat(metrics.snapshot().rejections(RejectReason.GATEWAY_OVERLOADED)).isZero();
                assertThat(metrics(gateway)).contains("tributary_gateway_connections_paused 1\n")
                        .contains("tributary_gateway_read_pauses_total 1\n");

                // And other devices still connect meanwhile (only publishing connections are paused)
                try (MqttTestClients.V5 other = MqttTestClients.v5(gateway.mqttPort(), "bp-idle")) {
                    assertThat(other.client.isConnected()).isTrue();
                }

                // When Kafka is back on the same address, the gateway reads on by itself
                kafka = kafka.restart();
                long last = device.written() + 300;
                device.stopAfter(last);
                await().atMost(Duration.ofSeconds(120)).until(() -> device.acknowledged().size() == last
                        || device.failure() != null);
                assertThat(device.failure()).isNull();
                assertThat(device.acknowledged()).hasSize((int) last);
                await().atMost(Duration.ofSeconds(10)).until(() -> metrics.level(Level.CONNECTIONS_PAUSED) == 0);
                assertThat(metrics.total(Counted.READ_PAUSES)).isPositive();
                // Failed sends: at most the other device's best-effort status events (connected, disconnected) while
                // Kafka was away; a failed telemetry send would have closed this MQTT 3.1.1 connection
                assertThat(metrics.snapshot().kafkaSendFailures()).isLessThanOrEqualTo(2);
                assertThat(metrics.snapshot().rejections(RejectReason.GATEWAY_OVERLOADED)).isZero();
                acknowledged = new TreeSet<>(device.acknowledged());
            }
        } finally {
            gateway.close();
        }
        try {
            // Then every acknowledged batch is in Kafka
            Set<Long> stored = KafkaTestTopics.batchSeqs(kafka.bootstrapServers(), PREFIX + "telemetry", DEVICE);
            assertThat(stored).containsAll(acknowledged);
        } finally {
            kafka.close();
        }
    }

    private static String metrics(Gateway gateway) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
