package io.tributary.gateway.mqtt;

import static io.tributary.testing.batch.TestBatches.batch;
import static io.tributary.testing.mqtt.MqttTestClients.telemetry;
import io.tributary.contract.KafkaHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.gateway.DeviceLimits;
import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.GatewayMetrics.Level;
import io.tributary.gateway.RejectReason;
import io.tributary.gateway.auth.AcceptAllAuthenticator;
import io.tributary.gateway.kafka.KafkaRecords;
import io.tributary.gateway.registry.DeviceConfigs;
import io.tributary.gateway.validation.TelemetryValidator;
import io.tributary.gateway.metrics.MicrometerGatewayMetrics;
import io.tributary.gateway.testing.ControlledRecordSender;
import io.tributary.gateway.testing.TestSinks;
import io.tributary.gateway.testing.ControlledRecordSender.Mode;
import io.tributary.gateway.testing.ControlledRecordSender;
import io.tributary.testing.mqtt.MqttTestClients;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MQTT side against real Paho clients over TCP, with Kafka's outcomes under the test's control (the real broker
 * is in {@code GatewayIT}): acknowledgement order, failures, protocol violations, draining.
 */
class MqttGatewayVerticleTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_PAYLOAD = 1024;
    private static final int MAX_IN_FLIGHT = 4;

    private final Vertx vertx = Vertx.vertx();
    private final ControlledRecordSender sender = new ControlledRecordSender();
    private final MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final MqttListenerSettings settings = new MqttListenerSettings("127.0.0.1", 0, MAX_PAYLOAD, MAX_IN_FLIGHT,
            Duration.ofSeconds(5), false, "gateway", DeviceLimits.DEFAULTS);
    private MqttGatewayVerticle verticle;
    private int port;

    @BeforeEach
    void startServer() throws Exception {
        verticle = new MqttGatewayVerticle(settings, new AcceptAllAuthenticator(), TestSinks.kafka(sender), metrics, draining::get,
                DeviceConfigs.NONE, new ConnectionLimiter(Integer.MAX_VALUE), null,
                new TelemetryValidator(settings.maxPayloadBytes()), new DeviceSessions<>(settings.limits()),
                new ConnectionLimiter(settings.limits().maxPendingConnects(), settings.limits().maxPendingConnectsPerAddress()));
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = verticle.actualPort();
    }

    @AfterEach
    void stopServer() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void acknowledgesTelemetryOnlyAfterKafkaAcknowledged() throws Exception {
        sender.mode(Mode.HOLD);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            byte[] payload = batch("dev-1", 1, 3).toByteArray();

            IMqttToken token = device.publish(telemetry("dev-1"), payload, 1);

            await().atMost(TIMEOUT).until(() -> sender.sent().size() == 1);
            await().during(Duration.ofMillis(300)).atMost(TIMEOUT).until(() -> !token.isComplete());
            sender.sent(0).acknowledge();
            token.waitForCompletion(10_000);
            assertThat(token.getReasonCodes()).containsExactly(0);
            assertThat(sender.sent(0).record().topic()).isEqualTo("t.telemetry");
            assertThat(sender.sent(0).record().key()).isEqualTo("dev-1");
            assertThat(sender.sent(0).record().value()).isEqualTo(payload);
            assertThat(metrics.snapshot().telemetryBatchesAccepted()).isEqualTo(1);
            assertThat(metrics.snapshot().readingsAccepted()).isEqualTo(3);
        }
    }

    @Test
    void acknowledgesInArrivalOrderWhenKafkaCompletesOutOfOrder() throws Exception {
        sender.mode(Mode.HOLD);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            IMqttToken first = device.publish(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray(), 1);
            IMqttToken second = device.publish("devices/dev-1/status", "online".getBytes(StandardCharsets.UTF_8), 1);
            IMqttToken third = device.publish(telemetry("dev-1"), batch("dev-1", 2, 1).toByteArray(), 1);
            await().atMost(TIMEOUT).until(() -> sender.sent().size() == 3);

            sender.sent(2).acknowledge();
            sender.sent(1).acknowledge();
            await().during(Duration.ofMillis(300)).atMost(TIMEOUT)
                    .until(() -> !first.isComplete() && !second.isComplete() && !third.isComplete());
            sender.sent(0).acknowledge();

            await().atMost(TIMEOUT).until(() -> device.completedMessageIds.size() == 3);
            assertThat(device.completedMessageIds).containsExactly(first.getMessageId(), second.getMessageId(),
                    third.getMessageId());
            assertThat(sender.sent(1).record().topic()).isEqualTo("t.device-status");
        }
    }

    @Test
    void answersKafkaFailureWithUnspecifiedErrorOnMqtt5AndKeepsTheConnection() throws Exception {
        sender.mode(Mode.FAIL);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            int reason = device.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray());

            assertThat(reason).isEqualTo(0x80);
            assertThat(device.client.isConnected()).isTrue();
            assertThat(metrics.snapshot().kafkaSendFailures()).isEqualTo(1);
            assertThat(metrics.snapshot().telemetryBatchesAccepted()).isZero();
        }
    }

    @Test
    void closesAnMqtt311ConnectionWhenKafkaFails() throws Exception {
        sender.mode(Mode.FAIL);
        try (MqttTestClients.V3 device = MqttTestClients.v3(port, "dev-1")) {
            IMqttDeliveryToken token = device.publish(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray(), 1);

            await().atMost(TIMEOUT).until(() -> device.connectionLost.get() != null);
            assertThat(token.getException()).isNotNull();
            assertThat(metrics.snapshot().kafkaSendFailures()).isEqualTo(1);
        }
    }

    @Test
    void stopsReadingTheSocketWhileKafkaIsCongestedAndResumesByItself() throws Exception {
        sender.congested(true);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            List<IMqttToken> tokens = new ArrayList<>();
            for (int seq = 1; seq <= 3; seq++) {
                tokens.add(device.publish(telemetry("dev-1"), batch("dev-1", seq, 1).toByteArray(), 1));
            }

            // The first publish is taken (and acknowledged: answers still go out), then the socket is not read
            tokens.get(0).waitForCompletion(10_000);
            assertThat(tokens.get(0).getReasonCodes()).containsExactly(0);
            await().during(Duration.ofMillis(500)).atMost(TIMEOUT).until(() -> sender.sent().size() == 1);
            assertThat(metrics.total(Counted.PUBLISHES_RECEIVED)).isEqualTo(1);
            assertThat(metrics.level(Level.CONNECTIONS_PAUSED)).isEqualTo(1);
            assertThat(tokens.get(1).isComplete()).isFalse();

            sender.congested(false);

            tokens.get(2).waitForCompletion(10_000);
            // Paho records a completion in its callback thread, after the token is done: wait for all three
            await().atMost(TIMEOUT).until(() -> device.completedMessageIds.size() == 3);
            assertThat(device.completedMessageIds).containsExactly(tokens.get(0).getMessageId(),
                    tokens.get(1).getMessageId(), tokens.get(2).getMessageId());
            assertThat(sender.records("t.telemetry")).hasSize(3);
            assertThat(metrics.level(Level.CONNECTIONS_PAUSED)).isZero();
            assertThat(metrics.total(Counted.READ_PAUSES)).isEqualTo(1);
            assertThat(metrics.snapshot().rejections(RejectReason.GATEWAY_OVERLOADED)).isZero();
        }
    }

    @Test
    void aConnectionEndingWhilePausedIsNoLongerCountedAsPaused() throws Exception {
        sender.congested(true);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            device.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray());
            await().atMost(TIMEOUT).until(() -> metrics.level(Level.CONNECTIONS_PAUSED) == 1);
        }
        await().atMost(TIMEOUT).until(() -> metrics.snapshot().connectionsOpen() == 0);
        assertThat(metrics.level(Level.CONNECTIONS_PAUSED)).isZero();
        sender.congested(false); // the resumer of the closed connection finds nothing to do
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            assertThat(device.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 2, 1).toByteArray()))
                    .isZero();
        }
        assertThat(metrics.level(Level.CONNECTIONS_PAUSED)).isZero();
    }

    @Test
    void answersOverloadWithQuotaExceeded() throws Exception {
        sender.mode(Mode.OVERLOAD);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            int reason = device.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray());

            assertThat(reason).isEqualTo(0x97);
            assertThat(metrics.snapshot().rejections(RejectReason.GATEWAY_OVERLOADED)).isEqualTo(1);
        }
    }

    @Test
    void answersAnInvalidPayloadAfterItsDeadLetterWasStored() throws Exception {
        sender.mode(Mode.HOLD);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            IMqttToken token = device.publish(telemetry("dev-1"), "garbage".getBytes(StandardCharsets.UTF_8), 1);
            await().atMost(TIMEOUT).until(() -> sender.sent().size() == 1);
            await().during(Duration.ofMillis(300)).atMost(TIMEOUT).until(() -> !token.isComplete());

            sender.sent(0).acknowledge();

            token.waitForCompletion(10_000);
            assertThat(token.getReasonCodes()).containsExactly(0x99);
            assertThat(token.getResponseProperties().getReasonString()).startsWith("not a ReadingBatch");
            assertThat(sender.records("t.deadletter")).hasSize(1);
            assertThat(sender.records("t.telemetry")).isEmpty();
        }
    }

    @Test
    void answersAFailedDeadLetterWithARetryableError() throws Exception {
        sender.mode(Mode.FAIL);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            int reason = device.publishAndAwaitReason(telemetry("dev-1"), "garbage".getBytes(StandardCharsets.UTF_8));

            assertThat(reason).isEqualTo(0x80);
            assertThat(metrics.snapshot().deadLetterFailures()).isEqualTo(1);
        }
    }

    @Test
    void rejectsAPayloadAboveTheLimitInsideThePacketLimitWithPayloadFormatInvalid() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            int reason = device.publishAndAwaitReason(telemetry("dev-1"), new byte[MAX_PAYLOAD + 1]);

            assertThat(reason).isEqualTo(0x99);
            assertThat(sender.records("t.deadletter")).hasSize(1);
            assertThat(new String(sender.records("t.deadletter").get(0).headers()
                    .lastHeader(KafkaHeaders.REASON).value(), StandardCharsets.UTF_8))
                    .isEqualTo("payload-too-large");
            assertThat(device.client.isConnected()).isTrue();
        }
    }

    @Test
    void announcesTheServerLimitsInConnack() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            assertThat(device.connAckProperties.getMaximumPacketSize()).isEqualTo((long) settings.maxPacketBytes());
            assertThat(device.connAckProperties.getReceiveMaximum()).isEqualTo(MAX_IN_FLIGHT);
            assertThat(device.connAckProperties.getMaximumQoS()).isEqualTo(1);
        }
    }

    @Test
    void disconnectsAnMqtt5ClientThatSendsAPacketAboveTheLimitWithPacketTooLarge() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            device.publish(telemetry("dev-1"), new byte[settings.maxPacketBytes() + 10], 1);

            await().atMost(TIMEOUT).until(() -> device.disconnected.get() != null);
            assertThat(device.disconnected.get().getReturnCode()).isEqualTo(0x95);
            assertThat(metrics.snapshot().rejections(RejectReason.PACKET_TOO_LARGE)).isEqualTo(1);
            assertThat(sender.sent()).isEmpty();
        }
    }

    @Test
    void closesAnMqtt311ConnectionThatSendsAPacketAboveTheLimit() throws Exception {
        try (MqttTestClients.V3 device = MqttTestClients.v3(port, "dev-1")) {
            device.publish(telemetry("dev-1"), new byte[settings.maxPacketBytes() + 10], 1);

            await().atMost(TIMEOUT).until(() -> device.connectionLost.get() != null);
            assertThat(metrics.snapshot().rejections(RejectReason.PACKET_TOO_LARGE)).isEqualTo(1);
            assertThat(sender.sent()).isEmpty();
        }
    }

    @Test
    void refusesQos2ByClosingTheConnection() throws Exception {
        try (MqttTestClients.V3 device = MqttTestClients.v3(port, "dev-1")) {
            device.publish(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray(), 2);

            await().atMost(TIMEOUT).until(() -> device.connectionLost.get() != null);
            assertThat(metrics.snapshot().rejections(RejectReason.QOS_NOT_SUPPORTED)).isEqualTo(1);
            assertThat(sender.sent()).isEmpty();
        }
    }

    @Test
    void closesAConnectionThatExceedsTheInFlightLimit() throws Exception {
        sender.mode(Mode.HOLD);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMaxInflight(MAX_IN_FLIGHT + 5);
        try (MqttTestClients.V3 device = MqttTestClients.v3(port, "dev-1", options)) {
            for (int i = 0; i <= MAX_IN_FLIGHT; i++) {
                device.publish(telemetry("dev-1"), batch("dev-1", i + 1, 1).toByteArray(), 1);
            }
            await().atMost(TIMEOUT).until(() -> sender.sent().size() == MAX_IN_FLIGHT);
            sender.sent().forEach(ControlledRecordSender.Sent::acknowledge);

            await().atMost(TIMEOUT).until(() -> device.connectionLost.get() != null);
            assertThat(metrics.snapshot().rejections(RejectReason.RECEIVE_MAXIMUM_EXCEEDED)).isEqualTo(1);
            assertThat(sender.sent()).hasSize(MAX_IN_FLIGHT);
        }
    }

    @Test
    void forwardsQos0TelemetryWithoutAnswer() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            device.publish(telemetry("dev-1"), batch("dev-1", 1, 2).toByteArray(), 0);

            await().atMost(TIMEOUT).until(() -> metrics.snapshot().telemetryBatchesAccepted() == 1);
            assertThat(sender.records("t.telemetry")).hasSize(1);
        }
    }

    @Test
    void refusesConnectsWithoutAUsableDeviceId() throws Exception {
        assertThatThrownBy(() -> MqttTestClients.v5(port, "no spaces allowed"))
                .isInstanceOf(MqttException.class)
                .extracting(e -> ((MqttException) e).getReasonCode())
                .isEqualTo(0x85);
        assertThat(metrics.snapshot().connectionsRefused()).isEqualTo(1);
    }

    @Test
    void takesTheDeviceIdFromTheUserName() throws Exception {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName("dev-7");
        options.setPassword("secret".getBytes(StandardCharsets.UTF_8));
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "some-client", options)) {
            assertThat(device.publishAndAwaitReason(telemetry("dev-7"), batch("dev-7", 1, 1).toByteArray()))
                    .isZero();
            assertThat(device.publishAndAwaitReason(telemetry("some-client"),
                    batch("some-client", 1, 1).toByteArray())).isEqualTo(0x87);
        }
    }

    @Test
    void grantsOnlyTheDevicesOwnConfigSubscription() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            IMqttToken own = device.client.subscribe("devices/dev-1/config", 1);
            own.waitForCompletion(10_000);
            IMqttToken other = device.client.subscribe("devices/dev-2/config", 1);
            other.waitForCompletion(10_000);

            assertThat(own.getReasonCodes()).containsExactly(1);
            assertThat(other.getReasonCodes()).containsExactly(0x87);
        }
    }

    @Test
    void forwardsTheWillWhenTheConnectionEndsAbnormally() throws Exception {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setWill("devices/dev-1/status", "offline".getBytes(StandardCharsets.UTF_8), 1, false);
        try (MqttTestClients.V3 device = MqttTestClients.v3(port, "dev-1", options)) {
            device.publish(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray(), 2); // a violation: server closes

            await().atMost(TIMEOUT).until(() -> sender.records("t.device-status").size() == 1);
            assertThat(sender.records("t.device-status").get(0).value())
                    .isEqualTo("offline".getBytes(StandardCharsets.UTF_8));
            assertThat(sender.records("t.device-status").get(0).key()).isEqualTo("dev-1");
        }
    }

    @Test
    void discardsTheWillOnANormalDisconnect() throws Exception {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setWill("devices/dev-1/status", new MqttMessage("offline".getBytes(StandardCharsets.UTF_8)));
        MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1", options);
        device.close();

        await().atMost(TIMEOUT).until(() -> metrics.snapshot().connectionsOpen() == 0);
        assertThat(sender.sent()).isEmpty();
    }

    @Test
    void whileDrainingRefusesConnectsAndTakesNoPublishes() throws Exception {
        sender.mode(Mode.ACKNOWLEDGE);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            draining.set(true);

            IMqttToken token = device.publish(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray(), 1);

            await().during(Duration.ofMillis(300)).atMost(TIMEOUT).until(() -> !token.isComplete());
            assertThat(sender.sent()).isEmpty();
            assertThatThrownBy(() -> MqttTestClients.v5(port, "dev-2"))
                    .isInstanceOf(MqttException.class)
                    .extracting(e -> ((MqttException) e).getReasonCode())
                    .isEqualTo(0x88);
        }
    }

    @Test
    void disconnectsMqtt5DevicesWithServerShuttingDownOnStop() throws Exception {
        MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1");
        try {
            vertx.undeploy(vertx.deploymentIDs().iterator().next()).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);

            await().atMost(TIMEOUT).until(() -> device.disconnected.get() != null);
            assertThat(device.disconnected.get().getReturnCode()).isEqualTo(0x8B);
        } finally {
            device.client.close(true);
        }
    }
}
