package io.tributary.gateway;

import static io.tributary.testing.batch.TestBatches.batch;
import static io.tributary.testing.kafka.KafkaTestTopics.header;
import static io.tributary.testing.mqtt.MqttTestClients.telemetry;
import io.tributary.contract.KafkaHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.gateway.kafka.KafkaRecords;
import io.tributary.gateway.kafka.KafkaUnavailableException;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.testing.TestResources;
import io.tributary.testing.kafka.KafkaTestTopics;
import io.tributary.testing.mqtt.MqttTestClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway end to end: real Paho and mosquitto clients over TCP, the real in-JVM Kafka broker of the local stack.
 * Every test uses its own device ids, so tests share one broker and one gateway.
 */
class GatewayIT {

    private static final String PREFIX = "it.";
    private static final String TELEMETRY = PREFIX + "telemetry";
    private static final String DEADLETTER = PREFIX + "deadletter";
    private static final String STATUS = PREFIX + "device-status";
    private static final int MAX_PAYLOAD = 4096;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static LocalStack stack;
    private static Gateway gateway;
    private static int port;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalStackOptions.defaults().withStartInflux(false));
        stack.createTopics(3, TELEMETRY, DEADLETTER, STATUS);
        gateway = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .kafkaBootstrapServers(stack.kafkaBootstrapServers())
                .topicPrefix(PREFIX)
                .maxPayloadBytes(MAX_PAYLOAD)
                .verticleInstances(2).build());
        gateway.start().toCompletableFuture().join();
        port = gateway.mqttPort();
    }

    @AfterAll
    static void stop() {
        TestResources.closeAll(gateway, stack);
    }

    @Test
    void forwardsAValidBatchAndAcknowledgesAfterKafkaHasIt() throws Exception {
        byte[] payload = batch("it-valid", 1, 5).toByteArray();
        long readingsBefore = gateway.metrics().snapshot().readingsAccepted();
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "it-valid")) {
            int reason = device.publishAndAwaitReason(telemetry("it-valid"), payload);

            assertThat(reason).isZero();
            // PUBACK came after acks=all: the record is in the log now, exactly once.
            List<ConsumerRecord<String, byte[]>> records = records(TELEMETRY, "it-valid");
            assertThat(records).hasSize(1);
            assertThat(records.get(0).value()).isEqualTo(payload);
            assertThat(gateway.metrics().snapshot().readingsAccepted() - readingsBefore).isEqualTo(5);
        }
    }

    @Test
    void deadLettersAMalformedPayloadWhileAnotherDeviceKeepsGettingAcknowledged() throws Exception {
        try (MqttTestClients.V5 bad = MqttTestClients.v5(port, "it-bad");
                MqttTestClients.V5 good = MqttTestClients.v5(port, "it-good")) {
            assertThat(good.publishAndAwaitReason(telemetry("it-good"), batch("it-good", 1, 1).toByteArray()))
                    .isZero();
            byte[] garbage = "{\"not\":\"protobuf\"}".getBytes(StandardCharsets.UTF_8);
            long rejectedBefore = gateway.metrics().snapshot().rejections(RejectReason.PAYLOAD_FORMAT_INVALID);

            IMqttToken rejected = bad.publish(telemetry("it-bad"), garbage, 1);
            for (int seq = 2; seq <= 4; seq++) {
                assertThat(good.publishAndAwaitReason(telemetry("it-good"), batch("it-good", seq, 1).toByteArray()))
                        .isZero();
            }
            rejected.waitForCompletion(10_000);

            assertThat(rejected.getReasonCodes()).containsExactly(0x99);
            // The bad device is still connected and its next valid batch goes through.
            byte[] valid = batch("it-bad", 2, 1).toByteArray();
            assertThat(bad.publishAndAwaitReason(telemetry("it-bad"), valid)).isZero();
            assertThat(records(TELEMETRY, "it-bad")).extracting(ConsumerRecord::value).containsExactly(valid);
            assertThat(records(TELEMETRY, "it-good")).hasSize(4);
            List<ConsumerRecord<String, byte[]>> dead = records(DEADLETTER, "it-bad");
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).value()).isEqualTo(garbage);
            assertThat(header(dead.get(0), KafkaHeaders.REASON)).isEqualTo("payload-format-invalid");
            assertThat(header(dead.get(0), KafkaHeaders.REASON_DETAIL)).startsWith("not a ReadingBatch");
            assertThat(header(dead.get(0), KafkaHeaders.DEVICE)).isEqualTo("it-bad");
            assertThat(header(dead.get(0), KafkaHeaders.MQTT_TOPIC)).isEqualTo(telemetry("it-bad"));
            assertThat(gateway.metrics().snapshot().rejections(RejectReason.PAYLOAD_FORMAT_INVALID) - rejectedBefore)
                    .isEqualTo(1);
        }
    }

    @Test
    void rejectsABatchWhoseDeviceIdDiffersFromTheTopic() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "it-mismatch")) {
            int reason = device.publishAndAwaitReason(telemetry("it-mismatch"),
                    batch("someone-else", 1, 1).toByteArray());

            assertThat(reason).isEqualTo(0x99);
            assertThat(device.publishAndAwaitReason(telemetry("it-mismatch"),
                    batch("it-mismatch", 2, 1).toByteArray())).isZero();
            assertThat(records(TELEMETRY, "it-mismatch")).hasSize(1);
            assertThat(records(DEADLETTER, "it-mismatch")).singleElement()
                    .satisfies(r -> assertThat(header(r, KafkaHeaders.REASON)).isEqualTo("device-id-mismatch"));
        }
    }

    @Test
    void rejectsAnEmptyBatch() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "it-empty")) {
            assertThat(device.publishAndAwaitReason(telemetry("it-empty"), batch("it-empty", 1, 0).toByteArray()))
                    .isEqualTo(0x99);
            assertThat(records(DEADLETTER, "it-empty")).singleElement()
                    .satisfies(r -> assertThat(header(r, KafkaHeaders.REASON)).isEqualTo("empty-batch"));
        }
    }

    @Test
    void rejectsAnOversizePayload() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "it-large")) {
            byte[] large = new byte[MAX_PAYLOAD + 1];

            assertThat(device.publishAndAwaitReason(telemetry("it-large"), large)).isEqualTo(0x99);

            assertThat(records(DEADLETTER, "it-large")).singleElement()
                    .satisfies(r -> assertThat(header(r, KafkaHeaders.REASON)).isEqualTo("payload-too-large"));
            assertThat(records(TELEMETRY, "it-large")).isEmpty();
        }
    }

    @Test
    void disconnectsAnMqtt5DeviceSendingAPacketAboveTheAnnouncedMaximum() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "it-huge")) {
            assertThat(device.connAckProperties.getMaximumPacketSize()).isNotNull();

            device.publish(telemetry("it-huge"), new byte[device.connAckProperties.getMaximumPacketSize().intValue()
                    + 1], 1);

            await().atMost(TIMEOUT).until(() -> device.disconnected.get() != null);
            assertThat(device.disconnected.get().getReturnCode()).isEqualTo(0x95);
        }
    }

    @Test
    void refusesAPublishToAnotherDevicesTopic() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "it-intruder")) {
            int reason = device.publishAndAwaitReason(telemetry("it-victim"), batch("it-victim", 1, 1).toByteArray());

            assertThat(reason).isEqualTo(0x87);
            assertThat(device.publishAndAwaitReason("devices/it-intruder/firmware", new byte[1])).isEqualTo(0x87);
            assertThat(device.publishAndAwaitReason(telemetry("it-intruder"),
                    batch("it-intruder", 1, 1).toByteArray())).isZero();
            assertThat(records(TELEMETRY, "it-victim")).isEmpty();
            assertThat(records(DEADLETTER, "it-victim")).isEmpty();
            assertThat(gateway.metrics().snapshot().rejections(RejectReason.NOT_AUTHORIZED)).isPositive();
            assertThat(gateway.metrics().snapshot().rejections(RejectReason.TOPIC_NOT_ALLOWED)).isPositive();
        }
    }

    @Test
    void forwardsStatusMessages() throws Exception {
        byte[] online = "{\"state\":\"online\"}".getBytes(StandardCharsets.UTF_8);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "it-status")) {
            assertThat(device.publishAndAwaitReason("devices/it-status/status", online)).isZero();

            // The device's own status messages carry their MQTT topic; the gateway's events carry tributary.event.
            List<ConsumerRecord<String, byte[]>> all = records(STATUS, "it-status");
            assertThat(all).filteredOn(r -> r.headers().lastHeader(KafkaHeaders.EVENT) != null)
                    .extracting(r -> header(r, KafkaHeaders.EVENT)).containsExactly("connected");
            List<ConsumerRecord<String, byte[]>> records = all.stream()
                    .filter(r -> r.headers().lastHeader(KafkaHeaders.EVENT) == null)
                    .collect(Collectors.toList());
            assertThat(records).extracting(ConsumerRecord::value).containsExactly(online);
            assertThat(header(records.get(0), KafkaHeaders.MQTT_TOPIC)).isEqualTo("devices/it-status/status");
        }
    }

    @Test
    void servesMqtt311Devices() throws Exception {
        byte[] payload = batch("it-v3", 1, 2).toByteArray();
        try (MqttTestClients.V3 device = MqttTestClients.v3(port, "it-v3")) {
            device.publish(telemetry("it-v3"), payload, 1).waitForCompletion(10_000);
            assertThat(records(TELEMETRY, "it-v3")).extracting(ConsumerRecord::value).containsExactly(payload);

            IMqttDeliveryToken bad = device.publish(telemetry("it-v3"), new byte[] {(byte) 0xff, 1, 2}, 1);

            // MQTT 3.1.1 has no negative PUBACK: a payload refused for good is acknowledged once the dead-letter
            // topic holds it (closing would make the device re-send it at every reconnect)
            bad.waitForCompletion(10_000);
            assertThat(bad.getException()).isNull();
            assertThat(device.client.isConnected()).isTrue();
            assertThat(records(DEADLETTER, "it-v3")).hasSize(1);
            assertThat(records(TELEMETRY, "it-v3")).hasSize(1);
        }
    }

    @Test
    void acceptsBatchesFromMosquittoPub(@TempDir Path dir) throws Exception {
        Optional<Path> mosquittoPub = onPath("mosquitto_pub");
        org.junit.jupiter.api.Assumptions.assumeTrue(mosquittoPub.isPresent(), "mosquitto_pub not on PATH");
        for (String version : List.of("mqttv5", "mqttv311")) {
            String device = "it-mosquitto-" + version;
            byte[] payload = batch(device, 1, 3).toByteArray();
            Path file = Files.write(dir.resolve(device + ".bin"), payload);

            Process process = new ProcessBuilder(mosquittoPub.get().toString(), "-h", "127.0.0.1", "-p",
                    String.valueOf(port), "-V", version, "-q", "1", "-i", device, "-t", telemetry(device),
                    "-f", file.toString()).redirectErrorStream(true).start();

            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("mosquitto_pub output: %s", output).isZero();
            assertThat(records(TELEMETRY, device)).extracting(ConsumerRecord::value).containsExactly(payload);
        }
    }

    @Test
    void refusesToStartWhenKafkaIsUnreachable() {
        Gateway unreachable = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .kafkaBootstrapServers("127.0.0.1:1")
                .kafkaMaxBlock(Duration.ofMillis(300))
                .kafkaStartupTimeout(Duration.ofSeconds(1)).build());
        try {
            assertThatThrownBy(() -> unreachable.start().toCompletableFuture().join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(KafkaUnavailableException.class);
            assertThatThrownBy(unreachable::mqttPort).isInstanceOf(IllegalStateException.class);
        } finally {
            unreachable.close();
        }
    }

    @Test
    void failsToStartWhenThePortIsTaken() {
        Gateway second = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(port)
                .kafkaBootstrapServers(stack.kafkaBootstrapServers())
                .topicPrefix(PREFIX)
                .verticleInstances(1).build());
        try {
            // NIO reports a java.net.BindException, Netty's epoll transport its own IOException; same message
            assertThatThrownBy(() -> second.start().toCompletableFuture().join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("Address already in use");
        } finally {
            second.close();
        }
    }

    /**
     * Kafka goes away under a running gateway: devices get no success PUBACK (MQTT 5: 0x80; MQTT 3.1.1: the connection
     * closes), and shutdown still finishes in bounded time.
     */
    @Test
    void givesNoSuccessAcknowledgementWhileKafkaIsDown() throws Exception {
        LocalStack ownKafka = LocalStack.start(LocalStackOptions.defaults().withStartInflux(false));
        ownKafka.createTopics(1, TELEMETRY, DEADLETTER, STATUS);
        Gateway doomed = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .kafkaBootstrapServers(ownKafka.kafkaBootstrapServers())
                .topicPrefix(PREFIX)
                .verticleInstances(1)
                .kafkaDeliveryTimeout(Duration.ofSeconds(2))
                .shutdownTimeout(Duration.ofSeconds(1)).build());
        try {
            doomed.start().toCompletableFuture().join();
            int doomedPort = doomed.mqttPort();
            try (MqttTestClients.V5 v5 = MqttTestClients.v5(doomedPort, "it-down-5");
                    MqttTestClients.V3 v3 = MqttTestClients.v3(doomedPort, "it-down-3")) {
                assertThat(v5.publishAndAwaitReason(telemetry("it-down-5"), batch("it-down-5", 1, 1).toByteArray()))
                        .isZero();

                ownKafka.close();

                assertThat(v5.publishAndAwaitReason(telemetry("it-down-5"), batch("it-down-5", 2, 1).toByteArray()))
                        .isEqualTo(0x80);
                IMqttDeliveryToken token = v3.publish(telemetry("it-down-3"), batch("it-down-3", 1, 1).toByteArray(),
                        1);
                await().atMost(TIMEOUT).until(() -> v3.connectionLost.get() != null);
                assertThat(token.isComplete() && token.getException() == null).isFalse();
                assertThat(doomed.metrics().snapshot().kafkaSendFailures()).isGreaterThanOrEqualTo(2);
            }
        } finally {
            long closing = System.nanoTime();
            doomed.close();
            assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(15));
            ownKafka.close();
        }
    }

    // ---- helpers ----

    /** All records of {@code key} on {@code topic}, read from the beginning to the current end. */
    private static List<ConsumerRecord<String, byte[]>> records(String topic, String key) {
        return KafkaTestTopics.records(stack.kafkaBootstrapServers(), topic, key);
    }

    private static Optional<Path> onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(java.io.File.pathSeparator)).map(d -> Path.of(d, executable))
                .filter(Files::isExecutable).findFirst();
    }
}
