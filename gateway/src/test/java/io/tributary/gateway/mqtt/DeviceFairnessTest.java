package io.tributary.gateway.mqtt;

import static io.tributary.testing.batch.TestBatches.batch;
import static io.tributary.testing.mqtt.MqttTestClients.telemetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.tributary.gateway.GatewayMetrics.Level.PENDING_CONNECTS;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tributary.gateway.DeviceLimits;
import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.RejectReason;
import io.tributary.gateway.auth.AcceptAllAuthenticator;
import io.tributary.gateway.metrics.MicrometerGatewayMetrics;
import io.tributary.gateway.registry.DeviceConfigs;
import io.tributary.gateway.validation.TelemetryValidator;
import io.tributary.gateway.testing.ControlledRecordSender;
import io.tributary.gateway.testing.TestSinks;
import io.tributary.gateway.testing.ControlledRecordSender.Mode;
import io.tributary.gateway.testing.ControlledRecordSender;
import io.tributary.gateway.validation.TelemetryValidator;
import io.tributary.testing.mqtt.MqttTestClients;
import io.tributary.testing.mqtt.RawMqttSocket;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Per-device fairness against real Paho clients and raw sockets over TCP, Kafka's outcomes under the test's control:
 * one session per device id, the publish quota, a client that does not read, connections without CONNECT, malformed
 * frames, and the MQTT 3.1.1 answer to a dead-lettered payload.
 */
class DeviceFairnessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_PAYLOAD = 1024;

    private final Vertx vertx = Vertx.vertx();
    private final ControlledRecordSender sender = new ControlledRecordSender();
    private final MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private ConnectionLimiter limiter;
    private ConnectionLimiter pendingConnects;
    private int port;
    /** Decides on CONNECTs; a test may make it slow (asynchronous) before {@code start}. */
    private io.tributary.gateway.auth.DeviceAuthenticator authenticator = new AcceptAllAuthenticator();
    /** The configurations devices get on their config topic; a test may set them before {@code start}. */
    private DeviceConfigs configs = DeviceConfigs.NONE;

    /** Starts {@code instances} verticles sharing one session registry and the limits, as the gateway does. */
    private void start(DeviceLimits limits, int instances, int maxConnections, Duration connectTimeout)
            throws Exception {
        MqttListenerSettings settings = new MqttListenerSettings("127.0.0.1", 0, MAX_PAYLOAD, 16, connectTimeout,
                false, "gateway", limits);
        DeviceSessions<DeviceConnection> sessions = new DeviceSessions<>(limits);
        limiter = new ConnectionLimiter(maxConnections);
        pendingConnects = new ConnectionLimiter(limits.maxPendingConnects(), limits.maxPendingConnectsPerAddress());
        List<MqttGatewayVerticle> deployed = new ArrayList<>();
        vertx.deployVerticle(() -> {
            MqttGatewayVerticle verticle = new MqttGatewayVerticle(settings, authenticator, TestSinks.kafka(sender),
                    metrics, draining::get, configs, limiter, null,
                    new TelemetryValidator(settings.maxPayloadBytes()), sessions, pendingConnects);
            deployed.add(verticle);
            return verticle;
        }, new DeploymentOptions().setInstances(instances)).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        port = deployed.get(0).actualPort();
    }

    private void start(DeviceLimits limits) throws Exception {
        start(limits, 1, 100, Duration.ofSeconds(5));
    }

    private <T extends AutoCloseable> T keep(T client) {
        clients.add(client);
        return client;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : clients) {
            try {
                client.close();
            } catch (Exception e) {
                // already gone
            }
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    // ---- one session per device id -----------------------------------------------------------------------------

    @Test
    void aSecondMqtt5ConnectWithTheSameIdTakesTheSessionOver() throws Exception {
        start(DeviceLimits.DEFAULTS);
        MqttTestClients.V5 first = keep(MqttTestClients.v5(port, "dev-1"));

        MqttTestClients.V5 second = keep(MqttTestClients.v5(port, "dev-1"));

        await().atMost(TIMEOUT).until(() -> first.disconnected.get() != null);
        assertThat(first.disconnected.get().getReturnCode()).isEqualTo(0x8E);
        assertThat(second.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray())).isZero();
        assertThat(metrics.total(Counted.SESSION_TAKEOVERS)).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> metrics.snapshot().connectionsOpen() == 1);
        assertThat(limiter.held()).isEqualTo(1);
    }

    @Test
    void aSecondMqtt311ConnectWithTheSameIdClosesTheOlderConnection() throws Exception {
        start(DeviceLimits.DEFAULTS);
        MqttTestClients.V3 first = keep(MqttTestClients.v3(port, "dev-1"));

        MqttTestClients.V3 second = keep(MqttTestClients.v3(port, "dev-1"));

        await().atMost(TIMEOUT).until(() -> first.connectionLost.get() != null);
        IMqttDeliveryToken token = second.publish(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray(), 1);
        token.waitForCompletion(10_000);
        assertThat(token.getException()).isNull();
        assertThat(second.client.isConnected()).isTrue();
        assertThat(metrics.total(Counted.SESSION_TAKEOVERS)).isEqualTo(1);
    }

    @Test
    void connectionsOfOneDeviceIdCannotHoldTheSlotsOfOthers() throws Exception {
        // the finding: with --max-connections 50, 50 connections as one device took every slot
        start(DeviceLimits.DEFAULTS, 2, 3, Duration.ofSeconds(5));
        for (int i = 0; i < 10; i++) {
            keep(MqttTestClients.v5(port, "clone"));
        }
        await().atMost(TIMEOUT).until(() -> metrics.snapshot().connectionsOpen() == 1 && limiter.held() == 1);
        assertThat(metrics.total(Counted.SESSION_TAKEOVERS)).isEqualTo(9);

        MqttTestClients.V5 honest1 = keep(MqttTestClients.v5(port, "honest-1"));
        MqttTestClients.V5 honest2 = keep(MqttTestClients.v5(port, "honest-2"));

        assertThat(honest1.publishAndAwaitReason(telemetry("honest-1"), batch("honest-1", 1, 1).toByteArray()))
                .isZero();
        assertThat(honest2.publishAndAwaitReason(telemetry("honest-2"), batch("honest-2", 1, 1).toByteArray()))
                .isZero();
        assertThat(metrics.snapshot().connectionsRefused()).isZero();
    }

    @Test
    void answersPendingForATakenOverConnectionAreDroppedAndTheNewConnectionWorks() throws Exception {
        start(DeviceLimits.DEFAULTS);
        sender.mode(Mode.HOLD);
        MqttTestClients.V5 first = keep(MqttTestClients.v5(port, "dev-1"));
        IMqttToken pending = first.publish(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray(), 1);
        await().atMost(TIMEOUT).until(() -> sender.sent().size() == 1);

        MqttTestClients.V5 second = keep(MqttTestClients.v5(port, "dev-1"));
        await().atMost(TIMEOUT).until(() -> first.disconnected.get() != null);
        sender.sent(0).acknowledge(); // Kafka's late answer for the old connection: nowhere to go

        sender.mode(Mode.ACKNOWLEDGE);
        assertThat(second.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 2, 1).toByteArray())).isZero();
        assertThat(pending.isComplete() && pending.getException() == null && pending.getReasonCodes() != null
                && pending.getReasonCodes().length > 0 && pending.getReasonCodes()[0] == 0)
                .as("the old connection got no PUBACK").isFalse();
        await().atMost(TIMEOUT).until(() -> metrics.snapshot().connectionsOpen() == 1 && limiter.held() == 1);
    }

    // ---- publish quota -----------------------------------------------------------------------------------------

    @Test
    void answersPublishesOverTheQuotaWithQuotaExceededOnMqtt5AndForwardsNothing() throws Exception {
        start(new DeviceLimits(0.01, 3, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, 256 * 1024, 64));
        MqttTestClients.V5 device = keep(MqttTestClients.v5(port, "dev-1"));
        for (int seq = 1; seq <= 3; seq++) {
            assertThat(device.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", seq, 1).toByteArray()))
                    .isZero();
        }

        IMqttToken over = device.publish(telemetry("dev-1"), batch("dev-1", 4, 1).toByteArray(), 1);
        over.waitForCompletion(10_000);

        assertThat(over.getReasonCodes()).containsExactly(0x97);
        assertThat(over.getResponseProperties().getReasonString()).contains("quota exceeded");
        assertThat(sender.records("t.telemetry")).hasSize(3);
        assertThat(sender.records("t.deadletter")).isEmpty();
        assertThat(metrics.snapshot().rejections(RejectReason.DEVICE_QUOTA_EXCEEDED)).isEqualTo(1);
        assertThat(device.client.isConnected()).isTrue();
    }

    @Test
    void countsPayloadBytesAgainstTheByteQuota() throws Exception {
        start(new DeviceLimits(0, 1, 1, 1000, 1000, 256 * 1024, 64));
        MqttTestClients.V5 device = keep(MqttTestClients.v5(port, "dev-1"));

        assertThat(device.publishAndAwaitReason("devices/dev-1/status", new byte[600])).isZero();
        assertThat(device.publishAndAwaitReason("devices/dev-1/status", new byte[600])).isEqualTo(0x97);
        assertThat(device.publishAndAwaitReason("devices/dev-1/status", new byte[300])).isZero();
    }

    @Test
    void closesAnMqtt311ConnectionThatPublishesOverItsQuota() throws Exception {
        start(new DeviceLimits(0.01, 3, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, 256 * 1024, 64));
        MqttTestClients.V3 device = keep(MqttTestClients.v3(port, "dev-1"));
        for (int seq = 1; seq <= 3; seq++) {
            IMqttDeliveryToken token = device.publish(telemetry("dev-1"), batch("dev-1", seq, 1).toByteArray(), 1);
            token.waitForCompletion(10_000);
            assertThat(token.getException()).isNull();
        }

        device.publish(telemetry("dev-1"), batch("dev-1", 4, 1).toByteArray(), 1);

        await().atMost(TIMEOUT).until(() -> device.connectionLost.get() != null);
        assertThat(sender.records("t.telemetry")).hasSize(3);
        assertThat(metrics.snapshot().rejections(RejectReason.DEVICE_QUOTA_EXCEEDED)).isEqualTo(1);
    }

    @Test
    void dropsAndCountsQos0PublishesOverTheQuota() throws Exception {
        start(new DeviceLimits(0.01, 3, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, 256 * 1024, 64));
        MqttTestClients.V5 device = keep(MqttTestClients.v5(port, "dev-1"));

        for (int seq = 1; seq <= 6; seq++) {
            device.publish(telemetry("dev-1"), batch("dev-1", seq, 1).toByteArray(), 0).waitForCompletion(10_000);
        }

        await().atMost(TIMEOUT).until(() -> metrics.total(Counted.PUBLISHES_RECEIVED) == 6);
        await().atMost(TIMEOUT).until(() -> metrics.snapshot().telemetryBatchesAccepted() == 3);
        assertThat(sender.records("t.telemetry")).hasSize(3);
        assertThat(metrics.total(Counted.QUOTA_DROPPED_QOS0)).isEqualTo(3);
        assertThat(metrics.snapshot().rejections(RejectReason.DEVICE_QUOTA_EXCEEDED)).isEqualTo(3);
        assertThat(device.client.isConnected()).isTrue();
    }

    @Test
    void theQuotaIsNotResetByReconnectingOrTakingTheSessionOver() throws Exception {
        start(new DeviceLimits(0.01, 2, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, 256 * 1024, 64));
        MqttTestClients.V5 first = keep(MqttTestClients.v5(port, "dev-1"));
        first.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray());
        first.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 2, 1).toByteArray());

        MqttTestClients.V5 second = keep(MqttTestClients.v5(port, "dev-1"));
        assertThat(second.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 3, 1).toByteArray()))
                .isEqualTo(0x97);
        second.close();
        MqttTestClients.V5 third = keep(MqttTestClients.v5(port, "dev-1"));
        assertThat(third.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 3, 1).toByteArray()))
                .isEqualTo(0x97);
    }

    @Test
    void aDeviceOverItsQuotaDoesNotTakeFromAnother() throws Exception {
        start(new DeviceLimits(0.01, 3, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, 256 * 1024, 64));
        MqttTestClients.V5 greedy = keep(MqttTestClients.v5(port, "greedy"));
        MqttTestClients.V5 honest = keep(MqttTestClients.v5(port, "honest"));
        for (int seq = 1; seq <= 5; seq++) {
            greedy.publishAndAwaitReason(telemetry("greedy"), batch("greedy", seq, 1).toByteArray());
        }

        for (int seq = 1; seq <= 3; seq++) {
            assertThat(honest.publishAndAwaitReason(telemetry("honest"), batch("honest", seq, 1).toByteArray()))
                    .isZero();
        }
    }

    @Test
    void anHonestDeviceUnderTheDefaultQuotaIsNeverRefused() throws Exception {
        start(DeviceLimits.DEFAULTS);
        MqttTestClients.V5 device = keep(MqttTestClients.v5(port, "dev-1"));
        for (int seq = 1; seq <= 400; seq++) {
            assertThat(device.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", seq, 10).toByteArray()))
                    .isZero();
        }

        await().atMost(TIMEOUT).until(() -> metrics.snapshot().telemetryBatchesAccepted() == 400);
        assertThat(metrics.snapshot().rejectionsTotal()).isZero();
    }

    // ---- MQTT 3.1.1: a payload refused for good is acknowledged once dead-lettered ------------------------------

    @Test
    void acknowledgesADeadLetteredPayloadOnMqtt311AndKeepsTheConnection() throws Exception {
        start(DeviceLimits.DEFAULTS);
        MqttTestClients.V3 device = keep(MqttTestClients.v3(port, "dev-1"));

        IMqttDeliveryToken token = device.publish(telemetry("dev-1"), "garbage".getBytes(StandardCharsets.UTF_8), 1);
        token.waitForCompletion(10_000);

        assertThat(token.getException()).isNull();
        assertThat(device.client.isConnected()).isTrue();
        assertThat(sender.records("t.deadletter")).hasSize(1);
        assertThat(sender.records("t.telemetry")).isEmpty();
        assertThat(metrics.total(Counted.DEADLETTERS_ACKNOWLEDGED)).isEqualTo(1);
        assertThat(metrics.snapshot().rejections(RejectReason.PAYLOAD_FORMAT_INVALID)).isEqualTo(1);
        IMqttDeliveryToken valid = device.publish(telemetry("dev-1"), batch("dev-1", 2, 1).toByteArray(), 1);
        valid.waitForCompletion(10_000);
        assertThat(sender.records("t.telemetry")).hasSize(1);
    }

    @Test
    void closesAnMqtt311ConnectionWhenTheDeadLetterCouldNotBeStored() throws Exception {
        start(DeviceLimits.DEFAULTS);
        sender.mode(Mode.FAIL);
        MqttTestClients.V3 device = keep(MqttTestClients.v3(port, "dev-1"));

        device.publish(telemetry("dev-1"), "garbage".getBytes(StandardCharsets.UTF_8), 1);

        await().atMost(TIMEOUT).until(() -> device.connectionLost.get() != null);
        assertThat(metrics.total(Counted.DEADLETTERS_ACKNOWLEDGED)).isZero();
        assertThat(metrics.snapshot().deadLetterFailures()).isEqualTo(1);
    }

    // ---- a client that does not read ---------------------------------------------------------------------------

    @Test
    void closesAConnectionThatDoesNotReadItsAnswers() throws Exception {
        start(new DeviceLimits(1000, 2000, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, DeviceLimits.MIN_UNREAD_BYTES,
                64));
        RawMqttSocket device = keep(RawMqttSocket.open(port, 1024));
        device.send(RawMqttSocket.connect(5, "dev-1", new byte[0]));
        assertThat(device.read(TIMEOUT).type()).isEqualTo(2); // CONNACK
        AtomicReference<IOException> writeFailure = new AtomicReference<>();
        // a foreign topic: each PUBLISH gets PUBACK 0x87 with a Reason String, nothing goes to Kafka
        Thread writer = new Thread(() -> {
            try {
                for (int id = 1; writeFailure.get() == null; id = id % 65535 + 1) {
                    device.send(publish5("devices/other/telemetry", id, new byte[8]));
                }
            } catch (IOException e) {
                writeFailure.set(e);
            }
        }, "not-reading-writer");
        writer.setDaemon(true);
        writer.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> metrics.total(Counted.UNREAD_ANSWERS_CLOSED) == 1);
        // cut off for real and at once: a close that waits for the unread answers to drain would never end
        await().atMost(Duration.ofSeconds(3)).until(() -> writeFailure.get() != null);
        assertThat(device.awaitClosed(Duration.ofSeconds(3))).as("closed by the gateway").isTrue();
        await().atMost(TIMEOUT).until(() -> metrics.snapshot().connectionsOpen() == 0);

        try (MqttTestClients.V5 other = MqttTestClients.v5(port, "dev-2")) {
            assertThat(other.publishAndAwaitReason(telemetry("dev-2"), batch("dev-2", 1, 1).toByteArray())).isZero();
        }
    }

    @Test
    void cutsOffADeviceThatAsksForItsConfigurationAgainAndAgainWithoutReading() throws Exception {
        // the hostile suite's slow reader: each SUBACK brings 64 KiB, publishes in between get PUBACK 0x87
        byte[] config = new byte[64 * 1024];
        configs = deviceId -> java.util.Optional.of(config);
        // as a real authenticator: slow, so the subscriptions and publishes arrive before CONNACK
        AcceptAllAuthenticator accept = new AcceptAllAuthenticator();
        authenticator = request -> vertx.timer(200).compose(t -> accept.authenticate(request));
        start(DeviceLimits.DEFAULTS);
        RawMqttSocket device = keep(RawMqttSocket.open(port, 4096));
        device.send(RawMqttSocket.connect(5, "dev-1", new byte[0]));
        AtomicReference<IOException> writeFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                ByteArrayOutputStream subscribe = new ByteArrayOutputStream();
                subscribe.writeBytes(new byte[] {0, 7, 0});
                subscribe.writeBytes(RawMqttSocket.string("devices/dev-1/config"));
                subscribe.write(1);
                byte[] subscribePacket = RawMqttSocket.packet(0x82, subscribe.toByteArray());
                for (int id = 1; writeFailure.get() == null; id = id % 65000 + 1) {
                    device.send(subscribePacket);
                    for (int i = 0; i < 10; i++) {
                        device.send(publish5("devices/other/telemetry", id, batch("dev-1", 1, 1).toByteArray()));
                    }
                    Thread.sleep(10);
                }
            } catch (IOException e) {
                writeFailure.set(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "config-asking-writer");
        writer.setDaemon(true);
        writer.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.total(Counted.UNREAD_ANSWERS_CLOSED) == 1);
        await().atMost(Duration.ofSeconds(3)).until(() -> writeFailure.get() != null);
        await().atMost(TIMEOUT).until(() -> metrics.snapshot().connectionsOpen() == 0);
        writer.interrupt();
    }

    @Test
    void aDeviceThatReadsItsAnswersIsNotCutOff() throws Exception {
        start(new DeviceLimits(1000, 2000, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, DeviceLimits.MIN_UNREAD_BYTES,
                64));
        MqttTestClients.V5 device = keep(MqttTestClients.v5(port, "dev-1"));
        for (int i = 0; i < 300; i++) {
            device.publishAndAwaitReason("devices/other/telemetry", new byte[8]);
        }
        assertThat(device.client.isConnected()).isTrue();
        assertThat(metrics.total(Counted.UNREAD_ANSWERS_CLOSED)).isZero();
    }

    // ---- connections without CONNECT ---------------------------------------------------------------------------

    @Test
    void closesConnectionsBeyondThePendingConnectLimitAtOnce() throws Exception {
        start(new DeviceLimits(1000, 2000, 2L * 1024 * 1024, 8L * 1024 * 1024, 2, 256 * 1024, 64), 1, 100,
                Duration.ofSeconds(30));
        RawMqttSocket silent1 = keep(RawMqttSocket.open(port));
        RawMqttSocket silent2 = keep(RawMqttSocket.open(port));
        await().atMost(TIMEOUT).until(() -> metrics.level(PENDING_CONNECTS) == 2);

        RawMqttSocket third = keep(RawMqttSocket.open(port));

        assertThat(third.awaitClosed(TIMEOUT)).isTrue();
        assertThat(metrics.total(Counted.PENDING_CONNECTS_REFUSED)).isEqualTo(1);
        assertThat(silent1.awaitClosed(Duration.ofMillis(300))).as("the first two wait").isFalse();
        silent1.close();
        silent2.close();
        await().atMost(TIMEOUT).until(() -> metrics.level(PENDING_CONNECTS) == 0 && pendingConnects.held() == 0);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            assertThat(device.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray())).isZero();
        }
        assertThat(pendingConnects.held()).as("CONNECT gave its pending slot back").isZero();
    }

    @Test
    void oneAddressCannotHoldThePendingConnectSlotsOfOthers() throws Exception {
        // the suite's finding: 1,200 silent connections from one address filled the global limit of 1,000
        start(new DeviceLimits(1000, 2000, 2L * 1024 * 1024, 8L * 1024 * 1024, 10, 256 * 1024, 3), 1, 100,
                Duration.ofSeconds(30));
        java.net.InetAddress attackerAddress = java.net.InetAddress.getByName("127.0.0.2");
        List<RawMqttSocket> silent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            silent.add(keep(RawMqttSocket.openFrom(port, attackerAddress)));
        }
        await().atMost(TIMEOUT).until(() -> metrics.level(PENDING_CONNECTS) == 3);

        RawMqttSocket fourth = keep(RawMqttSocket.openFrom(port, attackerAddress));

        assertThat(fourth.awaitClosed(TIMEOUT)).as("the address's fourth closed at once").isTrue();
        assertThat(metrics.total(Counted.PENDING_CONNECTS_REFUSED_PER_ADDRESS)).isEqualTo(1);
        assertThat(metrics.total(Counted.PENDING_CONNECTS_REFUSED)).as("the global limit was not reached").isZero();
        assertThat(silent.get(0).awaitClosed(Duration.ofMillis(300))).as("the first three wait").isFalse();
        // another address is not affected, and holds slots of its own while it waits
        RawMqttSocket otherSilent = keep(RawMqttSocket.open(port));
        await().atMost(TIMEOUT).until(() -> metrics.level(PENDING_CONNECTS) == 4);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            assertThat(device.publishAndAwaitReason(telemetry("dev-1"), batch("dev-1", 1, 1).toByteArray())).isZero();
        }
        assertThat(otherSilent.awaitClosed(Duration.ofMillis(100))).isFalse();
        // a slot given back is free for the address again
        silent.get(0).close();
        await().atMost(TIMEOUT).until(() -> pendingConnects.held("127.0.0.2") == 2);
        RawMqttSocket again = keep(RawMqttSocket.openFrom(port, attackerAddress));
        await().atMost(TIMEOUT).until(() -> pendingConnects.held("127.0.0.2") == 3);
        assertThat(again.awaitClosed(Duration.ofMillis(300))).isFalse();
        assertThat(metrics.total(Counted.PENDING_CONNECTS_REFUSED_PER_ADDRESS)).isEqualTo(1);
    }

    @Test
    void closesAConnectionThatSendsNoConnectWithinTheTimeout() throws Exception {
        start(DeviceLimits.DEFAULTS, 1, 100, Duration.ofSeconds(1));
        RawMqttSocket silent = keep(RawMqttSocket.open(port));

        assertThat(silent.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(metrics.total(Counted.CONNECT_TIMEOUTS)).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> metrics.level(PENDING_CONNECTS) == 0 && pendingConnects.held() == 0);
    }

    @Test
    void closesAConnectionThatTricklesItsConnectPastTheTimeout() throws Exception {
        // vertx-mqtt's own timeout is an idle timeout: a byte now and then would keep such a connection forever
        start(DeviceLimits.DEFAULTS, 1, 100, Duration.ofSeconds(1));
        RawMqttSocket slow = keep(RawMqttSocket.open(port));
        byte[] connect = RawMqttSocket.connect(4, "dev-1", new byte[0]);
        long started = System.nanoTime();
        boolean closed = false;
        try {
            for (int i = 0; i < connect.length - 1 && !closed; i++) {
                slow.send(new byte[] {connect[i]});
                closed = slow.awaitClosed(Duration.ofMillis(200));
            }
        } catch (IOException e) {
            closed = true; // the gateway reset the connection while we wrote
        }

        assertThat(closed).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(3500));
        assertThat(metrics.total(Counted.CONNECT_TIMEOUTS)).isEqualTo(1);
    }

    // ---- malformed frames --------------------------------------------------------------------------------------

    @Test
    void answersOrClosesMalformedFramesWithACounterAndNoStackTraces() throws Exception {
        start(DeviceLimits.DEFAULTS, 1, 100, Duration.ofSeconds(1));
        ListAppender<ILoggingEvent> logged = captureLogs();
        try {
            // the capture sees Vert.x's own loggers, or this test could not fail
            io.vertx.core.internal.logging.LoggerFactory.getLogger("io.vertx.probe").warn("probe");
            assertThat(logged.list).anyMatch(e -> e.getFormattedMessage().equals("probe"));

            List<byte[]> beforeConnect = new ArrayList<>();
            Random random = new Random(17);
            for (int i = 0; i < 30; i++) {
                byte[] noise = new byte[1 + random.nextInt(200)];
                random.nextBytes(noise);
                beforeConnect.add(noise);
            }
            byte[] connect = RawMqttSocket.connect(4, "dev-1", new byte[0]);
            beforeConnect.add(Arrays.copyOf(connect, connect.length / 2)); // truncated: times out
            // a 256 MiB CONNECT: the decoder checks the size once it has the variable header
            beforeConnect.add(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F, 0, 4, 'M', 'Q', 'T', 'T',
                4, 2, 0, 60});
            beforeConnect.add(RawMqttSocket.connect(9, "dev-1", new byte[0])); // protocol level 9
            beforeConnect.add(RawMqttSocket.connect(5, "dev-1", new byte[] {0x7F, 0x00})); // unknown property
            beforeConnect.add(RawMqttSocket.connect(5, "dev-1", new byte[] {0x11})); // property cut short
            beforeConnect.add(RawMqttSocket.publishQos1("devices/dev-1/telemetry", 1, new byte[4])); // before CONNECT
            beforeConnect.add(new byte[] {(byte) 0xC0, 0x00}); // PINGREQ before CONNECT
            for (byte[] frame : beforeConnect) {
                long before = countedRefusals();
                try (RawMqttSocket attacker = RawMqttSocket.open(port)) {
                    attacker.send(frame);
                    assertThat(attacker.awaitClosed(Duration.ofSeconds(5)))
                            .as("closed after %s", hex(frame)).isTrue();
                }
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(countedRefusals())
                        .as("counted: %s", hex(frame)).isGreaterThan(before));
            }

            List<byte[]> afterConnect = List.of(
                    RawMqttSocket.packet(0xE0, new byte[] {0x05, 0x00}), // DISCONNECT, unknown reason code
                    RawMqttSocket.packet(0x40, new byte[] {0x00, 0x01, 0x05, 0x00}), // PUBACK, unknown reason
                    RawMqttSocket.packet(0x62, new byte[] {0x00, 0x01, 0x33, 0x00}), // PUBREL, unknown reason
                    RawMqttSocket.packet(0xF0, new byte[] {0x77, 0x00}), // AUTH, unknown reason
                    RawMqttSocket.packet(0x20, new byte[] {0x00, 0x00, 0x00}), // CONNACK from a client
                    RawMqttSocket.packet(0x90, new byte[] {0x00, 0x01, 0x00}), // SUBACK from a client
                    new byte[] {0x00, 0x00}, // reserved packet type 0
                    RawMqttSocket.packet(0x36, new byte[] {0x00, 0x01, 'a', 0x00, 0x01, 0x00}), // PUBLISH QoS 3
                    new byte[] {0x32, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F, 0, 1, 't', 0, 1, 0}); // 256 MiB
            for (byte[] frame : afterConnect) {
                long before = metrics.snapshot().rejections(RejectReason.MALFORMED_PACKET)
                        + metrics.snapshot().rejections(RejectReason.PACKET_TOO_LARGE);
                try (RawMqttSocket attacker = RawMqttSocket.open(port)) {
                    attacker.send(RawMqttSocket.connect(5, "attacker", new byte[0]));
                    assertThat(attacker.read(TIMEOUT).type()).isEqualTo(2);
                    attacker.send(frame);
                    assertThat(attacker.awaitClosed(Duration.ofSeconds(5)))
                            .as("closed after %s", hex(frame)).isTrue();
                }
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
                        metrics.snapshot().rejections(RejectReason.MALFORMED_PACKET)
                                + metrics.snapshot().rejections(RejectReason.PACKET_TOO_LARGE))
                        .as("counted as malformed: %s", hex(frame)).isGreaterThan(before));
            }

            // the two 256 MiB ones, and random bytes that happen to start a CONNECT declaring more than the maximum
            long randomTooLarge = beforeConnect.subList(0, 30).stream().filter(DeviceFairnessTest::tooLargeConnect)
                    .count();
            assertThat(metrics.snapshot().rejections(RejectReason.PACKET_TOO_LARGE)).isEqualTo(2 + randomTooLarge);
            await().atMost(TIMEOUT).until(() -> metrics.level(PENDING_CONNECTS) == 0 && pendingConnects.held() == 0
                    && limiter.held() == 0);
            try (MqttTestClients.V5 honest = MqttTestClients.v5(port, "honest")) {
                assertThat(honest.publishAndAwaitReason(telemetry("honest"), batch("honest", 1, 1).toByteArray()))
                        .isZero();
            }
            assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)).isEmpty();
            assertThat(logged.list).filteredOn(e -> e.getThrowableProxy() != null).isEmpty();
        } finally {
            stopCapturing(logged);
        }
    }

    // ---- packet sizes from the fixed header, MQTT 5 CONNECT properties (FrameGuard) ------------------------------

    @Test
    void aPacketDeclaredAboveTheMaximumInASessionGetsDisconnect0x95AtOnce() throws Exception {
        start(DeviceLimits.DEFAULTS, 1, 100, Duration.ofSeconds(30));
        try (RawMqttSocket attacker = RawMqttSocket.open(port)) {
            attacker.send(RawMqttSocket.connect(5, "dev-1", new byte[0]));
            assertThat(attacker.read(TIMEOUT).type()).isEqualTo(2);
            // 200 MB declared, then only a topic: the decoder would wait for the variable header for ever
            attacker.send(new byte[] {0x32, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x60, 0, 1, 't'});

            RawMqttSocket.Packet answer = attacker.read(Duration.ofSeconds(5));
            assertThat(answer).isNotNull();
            assertThat(answer.type()).as("DISCONNECT").isEqualTo(14);
            assertThat(answer.body()[0] & 0xFF).as("reason: packet too large").isEqualTo(0x95);
            assertThat(attacker.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(metrics.snapshot().rejections(RejectReason.PACKET_TOO_LARGE)).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> metrics.snapshot().connectionsOpen() == 0 && limiter.held() == 0);
    }

    @Test
    void anMqtt311PacketDeclaredAboveTheMaximumInASessionIsClosed() throws Exception {
        start(DeviceLimits.DEFAULTS, 1, 100, Duration.ofSeconds(30));
        try (RawMqttSocket attacker = RawMqttSocket.open(port)) {
            attacker.send(RawMqttSocket.connect(4, "dev-1", new byte[0]));
            assertThat(attacker.read(TIMEOUT).type()).isEqualTo(2);
            attacker.send(new byte[] {0x32, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x60, 0, 1, 't'});

            assertThat(attacker.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(metrics.snapshot().rejections(RejectReason.PACKET_TOO_LARGE)).isEqualTo(1);
    }

    @Test
    void aConnectDeclaredAboveTheMaximumIsClosedAtOnce() throws Exception {
        start(DeviceLimits.DEFAULTS, 1, 100, Duration.ofSeconds(30));
        try (RawMqttSocket attacker = RawMqttSocket.open(port)) {
            attacker.send(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}); // 256 MB, then silence

            assertThat(attacker.awaitClosed(Duration.ofSeconds(2))).as("closed long before the connect timeout")
                    .isTrue();
        }
        assertThat(metrics.snapshot().rejections(RejectReason.PACKET_TOO_LARGE)).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> metrics.level(PENDING_CONNECTS) == 0 && pendingConnects.held() == 0);
    }

    @Test
    void aConnectCutShortInsideItsVariableHeaderEndsAtTheConnectTimeout() throws Exception {
        start(DeviceLimits.DEFAULTS, 1, 100, Duration.ofSeconds(1));
        try (RawMqttSocket attacker = RawMqttSocket.open(port)) {
            // 500 bytes declared (allowed), 4 sent: the decoder waits inside the variable header
            attacker.send(new byte[] {0x10, (byte) 0xF4, 0x03, 0, 4, 'M'});

            assertThat(attacker.awaitClosed(Duration.ofSeconds(4))).isTrue();
        }
        assertThat(metrics.total(Counted.CONNECT_TIMEOUTS)).isEqualTo(1);
    }

    @Test
    void refusesMqtt5ConnectsWithProtocolErrorsInTheirPropertiesWith0x82() throws Exception {
        start(DeviceLimits.DEFAULTS, 1, 100, Duration.ofSeconds(30));
        byte[][] bad = {
            {0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2}, // Session Expiry Interval twice
            {0x21, 0, 0}, // Receive Maximum 0
            {0x27, 0, 0, 0, 0}, // Maximum Packet Size 0
            {0x17, 2}, // Request Problem Information 2
            {0x21, 0, 10, 0x26, 0, 1, 'k', 0, 1, 'v', 0x21, 0, 20}, // Receive Maximum twice, a user property between
        };
        for (int i = 0; i < bad.length; i++) {
            byte[] connect = RawMqttSocket.connect(5, "dev-" + i, bad[i]);
            try (RawMqttSocket attacker = RawMqttSocket.open(port)) {
                if (i == 0) {
                    try {
                        for (byte b : connect) { // byte by byte: the check follows the CONNECT across reads
                            attacker.send(new byte[] {b});
                            Thread.sleep(2);
                        }
                    } catch (IOException e) {
                        // refused once the properties were in: the client id was not wanted any more
                    }
                } else {
                    attacker.send(connect);
                }
                RawMqttSocket.Packet answer = attacker.read(TIMEOUT);
                assertThat(answer).as("answered: %s", hex(bad[i])).isNotNull();
                assertThat(answer.type()).as("CONNACK to %s", hex(bad[i])).isEqualTo(2);
                assertThat(answer.body()[1] & 0xFF).as("protocol error for %s", hex(bad[i])).isEqualTo(0x82);
                assertThat(attacker.awaitClosed(Duration.ofSeconds(5))).isTrue();
            }
        }
        assertThat(metrics.snapshot().rejections(RejectReason.MALFORMED_PACKET)).isEqualTo(bad.length);
        assertThat(metrics.snapshot().connectionsAccepted()).isZero();
        await().atMost(TIMEOUT).until(() -> metrics.level(PENDING_CONNECTS) == 0 && pendingConnects.held() == 0);
    }

    @Test
    void acceptsMqtt5ConnectsWithValidPropertiesAndRepeatedUserProperties() throws Exception {
        start(DeviceLimits.DEFAULTS, 1, 100, Duration.ofSeconds(30));
        byte[] properties = {0x11, 0, 0, 0, 30, 0x21, 0, 10, 0x27, 0, 1, 0, 0, 0x17, 1,
            0x26, 0, 1, 'k', 0, 1, 'v', 0x26, 0, 1, 'k', 0, 1, 'w'};
        try (RawMqttSocket device = RawMqttSocket.open(port)) {
            device.send(RawMqttSocket.connect(5, "dev-1", properties));
            RawMqttSocket.Packet answer = device.read(TIMEOUT);
            assertThat(answer.type()).isEqualTo(2);
            assertThat(answer.body()[1] & 0xFF).as("accepted").isZero();
        }
        assertThat(metrics.snapshot().rejections(RejectReason.MALFORMED_PACKET)).isZero();
    }

    @Test
    void packetsSentRightBehindTheConnectWaitForItsAnswerAndAreServed() throws Exception {
        // a client need not wait for CONNACK (MQTT 3.1.4); the authenticator answers only 300 ms later
        AcceptAllAuthenticator accept = new AcceptAllAuthenticator();
        authenticator = request -> vertx.timer(300).compose(t -> accept.authenticate(request));
        start(DeviceLimits.DEFAULTS, 1, 100, Duration.ofSeconds(30));
        ByteArrayOutputStream pipelined = new ByteArrayOutputStream();
        pipelined.writeBytes(RawMqttSocket.connect(5, "dev-1", new byte[0]));
        ByteArrayOutputStream subscribe = new ByteArrayOutputStream();
        subscribe.writeBytes(new byte[] {0, 7, 0}); // packet id 7, no properties
        subscribe.writeBytes(RawMqttSocket.string("devices/dev-1/config"));
        subscribe.write(1); // QoS 1
        pipelined.writeBytes(RawMqttSocket.packet(0x82, subscribe.toByteArray()));
        pipelined.writeBytes(publish5(telemetry("dev-1"), 8, batch("dev-1", 1, 1).toByteArray()));
        pipelined.writeBytes(new byte[] {(byte) 0xC0, 0}); // PINGREQ
        try (RawMqttSocket device = RawMqttSocket.open(port)) {
            device.send(pipelined.toByteArray());

            List<Integer> types = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                RawMqttSocket.Packet packet = null;
                try {
                    packet = device.read(TIMEOUT);
                } catch (java.net.SocketTimeoutException e) {
                    // asserted below
                }
                assertThat(packet).as("answer %s of 4 (got %s)", i + 1, types).isNotNull();
                types.add(packet.type());
            }
            assertThat(types).as("CONNACK, SUBACK, then PUBACK and PINGRESP in either order").startsWith(2, 9)
                    .containsExactlyInAnyOrder(2, 9, 4, 13);
        }
        assertThat(metrics.total(Counted.CONNECTION_ERRORS)).isZero();
    }

    /** Everything a connection refused before or at CONNECT is counted as. */
    private long countedRefusals() {
        return metrics.snapshot().rejections(RejectReason.MALFORMED_PACKET)
                + metrics.snapshot().rejections(RejectReason.PACKET_TOO_LARGE) + metrics.total(Counted.CONNECT_TIMEOUTS)
                + metrics.snapshot().connectionsRefused() + metrics.total(Counted.CONNECTION_ERRORS);
    }

    /** Whether {@code frame} starts with a CONNECT fixed header declaring more than the gateway's maximum. */
    private static boolean tooLargeConnect(byte[] frame) {
        if ((frame[0] & 0xFF) >> 4 != 1) {
            return false;
        }
        long length = 0;
        for (int i = 1; i < Math.min(frame.length, 5); i++) {
            length |= (long) (frame[i] & 0x7F) << (7 * (i - 1));
            if ((frame[i] & 0x80) == 0) {
                return length > MAX_PAYLOAD + MqttListenerSettings.PACKET_HEADROOM_BYTES;
            }
        }
        return false;
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 16); i++) {
            out.append(String.format("%02x", bytes[i] & 0xFF));
        }
        return out.append(bytes.length > 16 ? "..." : "").toString();
    }

    /** An MQTT 5 QoS 1 PUBLISH without properties. */
    private static byte[] publish5(String topic, int packetId, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(RawMqttSocket.string(topic));
        body.write(packetId >> 8);
        body.write(packetId & 0xFF);
        body.write(0); // no properties
        body.writeBytes(payload);
        return RawMqttSocket.packet(0x32, body.toByteArray());
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        return appender;
    }

    private static void stopCapturing(ListAppender<ILoggingEvent> appender) {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .detachAppender(appender);
        appender.stop();
    }
}
