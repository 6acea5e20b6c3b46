package io.tributary.gateway;

import static io.tributary.testing.batch.TestBatches.batch;
import static io.tributary.testing.kafka.KafkaTestTopics.header;
import static io.tributary.testing.kafka.KafkaTestTopics.records;
import static io.tributary.testing.mqtt.MqttTestClients.telemetry;
import io.tributary.contract.KafkaHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.gateway.cli.DevicesMain;
import io.tributary.gateway.kafka.KafkaRecords;
import io.tributary.contract.registry.DeviceRegistryClient;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.testing.mqtt.MqttTestClients;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Device identity end to end: the registry on real Kafka, the {@code devices} CLI, two gateway instances following
 * it, real Paho v5/v3 and mosquitto clients.
 */
class DeviceRegistryIT {

    private static final String PREFIX = "reg.";
    private static final String TELEMETRY = PREFIX + "telemetry";
    private static final String DEADLETTER = PREFIX + "deadletter";
    private static final String STATUS = PREFIX + "device-status";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static LocalStack stack;
    private static DeviceRegistryClient registry;
    private static String earlySecret;
    private static Gateway gateway;
    private static Gateway second;
    private static int port;
    private static int secondPort;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalStackOptions.defaults().withStartInflux(false));
        stack.createTopics(3, TELEMETRY, DEADLETTER, STATUS);
        registry = new DeviceRegistryClient(stack.kafkaBootstrapServers(), PREFIX, Map.of(), TIMEOUT);
        registry.ensureTopics();
        earlySecret = registry.provision("early"); // before any gateway runs: loaded from the topic at start
        gateway = startGateway();
        port = gateway.mqttPort();
        second = startGateway();
        secondPort = second.mqttPort();
    }

    private static Gateway startGateway() {
        Gateway started = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .kafkaBootstrapServers(stack.kafkaBootstrapServers())
                .topicPrefix(PREFIX)
                .verticleInstances(2)
                .authentication(GatewayConfig.Authentication.REGISTRY).build());
        started.start().toCompletableFuture().join();
        return started;
    }

    @AfterAll
    static void stop() {
        Stream.of(gateway, second).filter(g -> g != null).forEach(Gateway::close);
        if (registry != null) {
            registry.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** Provisions a device and waits until both gateways accept it. */
    private static String provision(String deviceId) {
        String secret = registry.provision(deviceId);
        await().atMost(TIMEOUT).until(() -> gateway.knowsDevice(deviceId) && second.knowsDevice(deviceId));
        for (int p : List.of(port, secondPort)) {
            await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
                MqttTestClients.v5WithSecret(p, deviceId, secret).close();
            });
        }
        return secret;
    }

    private static int v5ConnectRefusal(int p, String deviceId, String secret) {
        try (MqttTestClients.V5 unexpected = MqttTestClients.v5WithSecret(p, deviceId, secret)) {
            throw new AssertionError("CONNECT of " + deviceId + " was accepted");
        } catch (MqttException e) {
            return e.getReasonCode();
        }
    }

    private static int v3ConnectRefusal(int p, String deviceId, String secret) {
        try (MqttTestClients.V3 unexpected = MqttTestClients.v3WithSecret(p, deviceId, secret)) {
            throw new AssertionError("CONNECT of " + deviceId + " was accepted");
        } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
            return e.getReasonCode();
        }
    }

    private static int cli(String... args) {
        return cli(new StringWriter(), args);
    }

    private static int cli(StringWriter out, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kafka-bootstrap", stack.kafkaBootstrapServers(), "--topic-prefix", PREFIX));
        CommandLine command = new CommandLine(new DevicesMain());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(new StringWriter(), true));
        return command.execute(all.toArray(String[]::new));
    }

    @Test
    void aDeviceProvisionedBeforeTheGatewayStartedConnectsWithItsSecret() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5WithSecret(port, "early", earlySecret)) {
            byte[] payload = batch("early", 1, 2).toByteArray();
            assertThat(device.publishAndAwaitReason(telemetry("early"), payload)).isZero();
            assertThat(records(stack.kafkaBootstrapServers(), TELEMETRY, "early")).extracting(ConsumerRecord::value)
                    .containsExactly(payload);
        }
    }

    @Test
    void theCliPrintsTheSecretOnceAndTheDeviceUsesItOverMqtt5And311() throws Exception {
        StringWriter out = new StringWriter();
        assertThat(cli(out, "add", "cli-dev")).isZero();
        String secret = out.toString().trim();
        assertThat(secret).hasSizeGreaterThanOrEqualTo(22); // ≥ 128 bits in base64
        assertThat(registry.device("cli-dev").orElseThrow().toString()).doesNotContain(secret);

        await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() ->
                MqttTestClients.v5WithSecret(port, "cli-dev", secret).close());
        try (MqttTestClients.V3 device = MqttTestClients.v3WithSecret(port, "cli-dev", secret)) {
            device.publish(telemetry("cli-dev"), batch("cli-dev", 1, 1).toByteArray(), 1).waitForCompletion(10_000);
        }
        assertThat(records(stack.kafkaBootstrapServers(), TELEMETRY, "cli-dev")).hasSize(1);

        StringWriter listed = new StringWriter();
        assertThat(cli(listed, "list")).isZero();
        assertThat(listed.toString()).contains("cli-dev\tenabled").doesNotContain(secret);
        assertThat(cli("add", "cli-dev")).as("adding an existing device").isEqualTo(3);
        assertThat(cli("disable", "no-such-device")).isEqualTo(3);
        assertThat(cli("add", "bad id")).isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void provisionsAFleetIntoAnOwnerOnlySecretsFile(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("fleet.csv");
        assertThat(cli("add-many", "fleet-", "3", "--secrets-file", secrets.toString())).isZero();

        List<String> lines = Files.readAllLines(secrets);
        assertThat(lines).hasSize(3).allMatch(l -> l.matches("fleet-[0-2],[A-Za-z0-9_-]{22,}"));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)))
                .isEqualTo("rw-------");
        String[] first = lines.get(0).split(",");
        await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() ->
                MqttTestClients.v5WithSecret(port, first[0], first[1]).close());
        assertThat(cli("add-many", "fleet-", "3", "--secrets-file", dir.resolve("again.csv").toString()))
                .as("the devices exist already").isEqualTo(3);
        assertThat(cli("add-many", "other-", "3", "--secrets-file", secrets.toString()))
                .as("the secrets file exists").isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void refusesWrongSecretsUnknownDevicesAndMissingPasswords() throws Exception {
        String secret = provision("victim");
        String other = provision("attacker");
        long refusedBefore = gateway.metrics().snapshot().connectionsRefused();

        assertThat(v5ConnectRefusal(port, "victim", other)).isEqualTo(0x86);
        assertThat(v5ConnectRefusal(port, "victim", null)).isEqualTo(0x86);
        assertThat(v5ConnectRefusal(port, "ghost", secret)).isEqualTo(0x86);
        assertThat(v3ConnectRefusal(port, "victim", other))
                .isEqualTo(org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(v3ConnectRefusal(port, "ghost", secret))
                .isEqualTo(org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(gateway.metrics().snapshot().connectionsRefused() - refusedBefore).isEqualTo(5);
    }

    @Test
    void disablingADeviceClosesItsOpenConnectionsOnEveryGatewayAndRefusesItUntilEnabled() throws Exception {
        String secret = provision("revoked");
        try (MqttTestClients.V5 onFirst = MqttTestClients.v5WithSecret(port, "revoked", secret);
                MqttTestClients.V3 onSecond = MqttTestClients.v3WithSecret(secondPort, "revoked", secret)) {

            assertThat(cli("disable", "revoked")).isZero();
            await().atMost(TIMEOUT).until(() -> !gateway.knowsDevice("revoked") && !second.knowsDevice("revoked"));

            await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(onFirst.disconnected.get()).isNotNull();
                assertThat(onFirst.disconnected.get().getReturnCode()).isEqualTo(0x87);
                assertThat(onSecond.connectionLost.get()).isNotNull();
            });
        }
        assertThat(v5ConnectRefusal(port, "revoked", secret)).isEqualTo(0x87);
        assertThat(v3ConnectRefusal(secondPort, "revoked", secret))
                .isEqualTo(org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_NOT_AUTHORIZED);
        assertThat(registry.device("revoked").orElseThrow().enabled()).isFalse();

        assertThat(cli("enable", "revoked")).isZero();

        await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() ->
                MqttTestClients.v5WithSecret(secondPort, "revoked", secret).close());
    }

    @Test
    void aDeviceMayUseOnlyItsOwnTopics() throws Exception {
        String secret = provision("acl-dev");
        provision("acl-other");
        long notAuthorizedBefore = gateway.metrics().snapshot().rejections(RejectReason.NOT_AUTHORIZED);
        try (MqttTestClients.V5 device = MqttTestClients.v5WithSecret(port, "acl-dev", secret)) {
            byte[] forged = batch("acl-other", 1, 1).toByteArray();
            assertThat(device.publishAndAwaitReason(telemetry("acl-other"), forged)).isEqualTo(0x87);
            assertThat(device.publishAndAwaitReason("devices/acl-other/status", new byte[] {1})).isEqualTo(0x87);

            IMqttToken subscribe = device.client.subscribe(
                    new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                        new org.eclipse.paho.mqttv5.common.MqttSubscription("devices/acl-other/config", 1),
                        new org.eclipse.paho.mqttv5.common.MqttSubscription("devices/acl-dev/telemetry", 1),
                        new org.eclipse.paho.mqttv5.common.MqttSubscription("devices/acl-dev/config", 1)});
            subscribe.waitForCompletion(10_000);
            assertThat(subscribe.getReasonCodes()).containsExactly(0x87, 0x87, 0x01);
        }
        try (MqttTestClients.V3 device = MqttTestClients.v3WithSecret(port, "acl-dev", secret)) {
            device.publish(telemetry("acl-other"), batch("acl-other", 2, 1).toByteArray(), 1);
            await().atMost(TIMEOUT).until(() -> device.connectionLost.get() != null);
        }
        assertThat(records(stack.kafkaBootstrapServers(), TELEMETRY, "acl-other")).isEmpty();
        assertThat(records(stack.kafkaBootstrapServers(), STATUS, "acl-other")).filteredOn(
                r -> header(r, KafkaHeaders.EVENT) == null).isEmpty();
        assertThat(gateway.metrics().snapshot().rejections(RejectReason.NOT_AUTHORIZED) - notAuthorizedBefore)
                .isGreaterThanOrEqualTo(5);
    }

    @Test
    void deliversTheLatestConfigurationRetainedAndPushesChanges(@TempDir Path dir) throws Exception {
        String secret = provision("cfg-dev");
        Path file = Files.writeString(dir.resolve("cfg.json"), "{\"interval\":10}");
        assertThat(cli("config", "cfg-dev", file.toString())).isZero();
        assertThat(cli("config", "cfg-ghost", file.toString())).isEqualTo(3);
        assertThat(cli("config", "cfg-dev", dir.resolve("missing").toString())).isEqualTo(2);

        try (MqttTestClients.V5 device = MqttTestClients.v5WithSecret(secondPort, "cfg-dev", secret)) {
            await().atMost(TIMEOUT).untilAsserted(() -> {
                // The configuration may reach the gateway's view just after the CLI returned: re-subscribe.
                device.client.subscribe("devices/cfg-dev/config", 1).waitForCompletion(10_000);
                assertThat(device.received).isNotEmpty();
            });
            assertThat(device.received.get(0).getKey()).isEqualTo("devices/cfg-dev/config");
            assertThat(new String(device.received.get(0).getValue().getPayload(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"interval\":10}");
            assertThat(device.received.get(0).getValue().isRetained()).isTrue();

            Files.writeString(file, "{\"interval\":20}");
            assertThat(cli("config", "cfg-dev", file.toString())).isZero();

            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(device.received)
                    .extracting(m -> new String(m.getValue().getPayload(), StandardCharsets.UTF_8))
                    .contains("{\"interval\":20}"));
        }
    }

    @Test
    void writesConnectDisconnectAndConnectionLostEvents() throws Exception {
        String secret = provision("status-dev");
        MqttTestClients.v5WithSecret(port, "status-dev", secret).close(); // clean DISCONNECT
        MqttTestClients.V3 lost = MqttTestClients.v3WithSecret(port, "status-dev", secret);
        lost.client.disconnectForcibly(0, 1000, false); // no DISCONNECT packet: the gateway sees the socket close
        lost.client.close();

        await().atMost(TIMEOUT).untilAsserted(() -> {
            List<String> events = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : records(stack.kafkaBootstrapServers(), STATUS,
                    "status-dev")) {
                String event = header(record, KafkaHeaders.EVENT);
                if (event != null) {
                    JsonObject json = new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
                    assertThat(json.getString("device")).isEqualTo("status-dev");
                    assertThat(json.getString("event")).isEqualTo(event);
                    events.add(event);
                }
            }
            // provision() connected once to each gateway; then the two connections above.
            assertThat(events).containsSubsequence("connected", "disconnected", "connected", "connection-lost");
            assertThat(events.stream().filter("connection-lost"::equals)).hasSize(1);
        });
    }

    @Test
    void mosquittoPubNeedsTheRightSecret(@TempDir Path dir) throws Exception {
        Optional<Path> mosquittoPub = onPath("mosquitto_pub");
        org.junit.jupiter.api.Assumptions.assumeTrue(mosquittoPub.isPresent(), "mosquitto_pub not on PATH");
        String secret = provision("mosq-dev");
        byte[] payload = batch("mosq-dev", 1, 1).toByteArray();
        Path file = Files.write(dir.resolve("batch.bin"), payload);
        for (String version : List.of("mqttv5", "mqttv311")) {
            assertThat(mosquittoPub(mosquittoPub.get(), version, secret + "x", file)).as("wrong secret").isNotZero();
            assertThat(mosquittoPub(mosquittoPub.get(), version, secret, file)).as("right secret").isZero();
        }
        assertThat(records(stack.kafkaBootstrapServers(), TELEMETRY, "mosq-dev")).hasSize(2);
    }

    private static int mosquittoPub(Path binary, String version, String password, Path file) throws Exception {
        Process process = new ProcessBuilder(binary.toString(), "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-V", version, "-q", "1", "-i", "mosq-dev", "-u", "mosq-dev", "-P", password,
                "-t", telemetry("mosq-dev"), "-f", file.toString()).redirectErrorStream(true).start();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    private static Optional<Path> onPath(String name) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }
}
