package io.tributary.gateway;

import static io.tributary.testing.batch.TestBatches.batch;
import static io.tributary.testing.mqtt.MqttTestClients.telemetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.contract.registry.DeviceRegistryClient;
import io.tributary.gateway.testing.TestCertificates;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.testing.mqtt.MqttTestClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mutual TLS, the connection limit, metrics and health over HTTP: real Kafka, real clients. */
class OperationsIT {

    private static final String PREFIX = "ops.";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path certDir;

    private static LocalStack stack;
    private static DeviceRegistryClient registry;
    private static TestCertificates certificates;
    private static Gateway gateway;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(TestCertificates.opensslAvailable(), "openssl not on PATH");
        certificates = TestCertificates.create(certDir);
        stack = LocalStack.start(LocalStackOptions.defaults().withStartInflux(false));
        stack.createTopics(1, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "device-status");
        registry = new DeviceRegistryClient(stack.kafkaBootstrapServers(), PREFIX, Map.of(), TIMEOUT);
        gateway = new Gateway(config().toBuilder()
                .maxConnections(3)
                .tls(new io.tributary.gateway.TlsSettings(0, certificates.serverPem(), certificates.serverKey(),
                        certificates.caPem(), true)).build());
        gateway.start().toCompletableFuture().join();
    }

    private static GatewayConfig config() {
        return GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .httpPort(0)
                .kafkaBootstrapServers(stack.kafkaBootstrapServers())
                .topicPrefix(PREFIX)
                .verticleInstances(2)
                .authentication(GatewayConfig.Authentication.REGISTRY).build();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static MqttAsyncClient tlsClient(String clientId, SSLSocketFactory factory, String user, String secret)
            throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient("ssl://127.0.0.1:" + gateway.tlsPort(), clientId,
                new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setSocketFactory(factory);
        options.setHttpsHostnameVerificationEnabled(false);
        options.setAutomaticReconnect(false);
        if (user != null) {
            options.setUserName(user);
            options.setPassword(secret.getBytes(StandardCharsets.UTF_8));
        }
        client.connect(options).waitForCompletion(10_000);
        return client;
    }

    private static void awaitAccepted(String deviceId, String secret) {
        await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() ->
                MqttTestClients.v5WithSecret(gateway.mqttPort(), deviceId, secret).close());
    }

    @Test
    void mutualTlsTakesTheDeviceIdFromTheCertificateCn() throws Exception {
        String secret = registry.provision("tls-dev");
        awaitAccepted("tls-dev", secret);

        MqttAsyncClient device = tlsClient("tls-dev", certificates.socketFactory(
                certificates.deviceCertificate("tls-dev")), null, null);
        try {
            var token = device.publish(telemetry("tls-dev"), batch("tls-dev", 1, 1).toByteArray(), 1, false);
            token.waitForCompletion(10_000);
            assertThat(token.getReasonCodes()).containsExactly(0);
        } finally {
            device.disconnect().waitForCompletion(5_000);
            device.close();
        }

        SSLSocketFactory stranger = certificates.socketFactory(certificates.deviceCertificate("tls-stranger"));
        assertThatThrownBy(() -> tlsClient("tls-stranger", stranger, null, null))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        SSLSocketFactory liar = certificates.socketFactory(certificates.deviceCertificate("tls-liar"));
        assertThatThrownBy(() -> tlsClient("tls-liar", liar, "tls-dev", secret))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        // Without a client certificate the TLS handshake itself fails.
        assertThatThrownBy(() -> tlsClient("tls-dev", certificates.socketFactory(null), "tls-dev", secret))
                .isInstanceOf(MqttException.class);
    }

    @Test
    void refusesConnectionsBeyondTheLimitWithQuotaExceeded() throws Exception {
        String secret = registry.provision("limit-dev");
        awaitAccepted("limit-dev", secret);
        // One live connection per device id (a second CONNECT takes the session over): three devices fill the limit
        String secretB = registry.provision("limit-dev-b");
        String secretC = registry.provision("limit-dev-c");
        String secretD = registry.provision("limit-dev-d");
        awaitAccepted("limit-dev-d", secretD);
        // Other tests may hold connections briefly; this test owns the limit while it runs.
        synchronized (OperationsIT.class) {
            MqttTestClients.V5 a = MqttTestClients.v5(gateway.mqttPort(), "limit-a", credentials("limit-dev", secret));
            MqttTestClients.V5 b = MqttTestClients.v5(gateway.mqttPort(), "limit-b",
                    credentials("limit-dev-b", secretB));
            MqttTestClients.V5 c = MqttTestClients.v5(gateway.mqttPort(), "limit-c",
                    credentials("limit-dev-c", secretC));
            try {
                assertThatThrownBy(() -> MqttTestClients.v5(gateway.mqttPort(), "limit-d",
                        credentials("limit-dev-d", secretD)))
                        .isInstanceOfSatisfying(MqttException.class,
                                e -> assertThat(e.getReasonCode()).isEqualTo(0x97));
                assertThatThrownBy(() -> MqttTestClients.v3WithSecret(gateway.mqttPort(), "limit-dev-d", secretD))
                        .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                                e -> assertThat(e.getReasonCode()).isEqualTo(
                                        org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_BROKER_UNAVAILABLE));
            } finally {
                a.close();
            }
            await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() ->
                    MqttTestClients.v5(gateway.mqttPort(), "limit-e", credentials("limit-dev-d", secretD)).close());
            b.close();
            c.close();
        }
    }

    @Test
    void connectionsWithOneDevicesSecretHoldOneSlot() throws Exception {
        // issue 17: with --max-connections 50, 50 connections as one device were all accepted and an honest device
        // then got "quota exceeded". Each CONNECT now takes the session of the one before over.
        String secret = registry.provision("clone-dev");
        String honestSecret = registry.provision("honest-dev");
        awaitAccepted("honest-dev", honestSecret);
        synchronized (OperationsIT.class) {
            List<MqttTestClients.V5> clones = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    clones.add(MqttTestClients.v5(gateway.mqttPort(), "clone-" + i, credentials("clone-dev", secret)));
                }
                await().atMost(TIMEOUT).until(() -> clones.subList(0, 5).stream()
                        .allMatch(c -> c.disconnected.get() != null && c.disconnected.get().getReturnCode() == 0x8E));
                try (MqttTestClients.V5 honest = MqttTestClients.v5WithSecret(gateway.mqttPort(), "honest-dev",
                        honestSecret)) {
                    assertThat(honest.publishAndAwaitReason(telemetry("honest-dev"), batch("honest-dev", 1, 1)
                            .toByteArray())).isZero();
                }
                assertThat(get("/metrics").body()).containsPattern("tributary_gateway_session_takeovers_total [5-9]");
            } finally {
                for (MqttTestClients.V5 clone : clones) {
                    clone.close();
                }
            }
        }
    }

    private static MqttConnectionOptions credentials(String deviceId, String secret) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(deviceId);
        options.setPassword(secret.getBytes(StandardCharsets.UTF_8));
        return options;
    }

    @Test
    void servesMetricsAndHealth() throws Exception {
        String secret = registry.provision("metrics-dev");
        awaitAccepted("metrics-dev", secret);
        try (MqttTestClients.V5 device = MqttTestClients.v5WithSecret(gateway.mqttPort(), "metrics-dev", secret)) {
            assertThat(device.publishAndAwaitReason(telemetry("metrics-dev"), batch("metrics-dev", 1, 4)
                    .toByteArray())).isZero();
            assertThat(device.publishAndAwaitReason(telemetry("metrics-dev"), new byte[] {1, 2, 3})).isEqualTo(0x99);
        }

        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.body())
                .contains("tributary_gateway_ready 1")
                .contains("tributary_gateway_connections_max 3")
                .containsPattern("tributary_gateway_messages_in_total\\{kind=\"telemetry\"} [1-9]")
                .containsPattern("tributary_gateway_readings_in_total [1-9]")
                .containsPattern("tributary_gateway_rejections_total\\{reason=\"payload-format-invalid\"} [1-9]")
                .containsPattern("tributary_gateway_kafka_send_seconds_bucket\\{le=\"\\+Inf\"} [1-9]")
                .contains("tributary_gateway_connections_open ");
        assertThat(get("/nothing").statusCode()).isEqualTo(404);
        // Kafka as the gateway's Admin poll sees it: which broker, which topic
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(get("/metrics").body())
                .containsPattern("tributary_kafka_broker_up\\{address=\"127\\.0\\.0\\.1:[0-9]+\",broker=\"[0-9]+\"} 1")
                .containsPattern("tributary_kafka_partitions_offline\\{topic=\"" + PREFIX + "telemetry\"} 0")
                .containsPattern("tributary_kafka_partitions_under_replicated\\{topic=\"" + PREFIX + "telemetry\"} 0")
                .contains("tributary_kafka_reachable 1"));
        assertThat(get("/health/ready").body()).isEqualTo("ready\n");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return get(gateway, path);
    }

    private static HttpResponse<String> get(Gateway target, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.httpPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void isNotReadyWhileKafkaIsDown() throws Exception {
        LocalStack doomed = LocalStack.start(LocalStackOptions.defaults().withStartInflux(false));
        doomed.createTopics(1, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "device-status");
        Gateway orphan = new Gateway(config().toBuilder().kafkaBootstrapServers(doomed.kafkaBootstrapServers())
                .shutdownTimeout(Duration.ofSeconds(1)).build());
        try {
            orphan.start().toCompletableFuture().join();
            assertThat(get(orphan, "/health/ready").statusCode()).isEqualTo(200);

            doomed.close();

            await().atMost(TIMEOUT).untilAsserted(() -> {
                HttpResponse<String> ready = get(orphan, "/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("Kafka not reachable");
            });
            assertThat(get(orphan, "/health/live").statusCode()).isEqualTo(200);
        } finally {
            orphan.close();
            doomed.close();
        }
    }

    @Test
    void aBadCertificateOrKeyFileStopsStartupNamingTheFile(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a pem file\n");
        Path missing = dir.resolve("missing.pem");

        assertThatThrownBy(() -> startWithTls(missing, certificates.serverKey()))
                .hasMessageContaining("TLS certificate file (--tls-cert) " + missing).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> startWithTls(garbage, certificates.serverKey()))
                .hasMessageContaining(garbage.toString()).hasMessageContaining("no PEM certificate");
        assertThatThrownBy(() -> startWithTls(certificates.serverPem(), garbage))
                .hasMessageContaining("TLS key file (--tls-key) " + garbage).hasMessageContaining("no PEM private key");
    }

    private static void startWithTls(Path cert, Path key) {
        Gateway broken = new Gateway(config().toBuilder().tls(new TlsSettings(0, cert, key, null, true)).build());
        try {
            broken.start().toCompletableFuture().join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        } finally {
            broken.close();
        }
    }
}
