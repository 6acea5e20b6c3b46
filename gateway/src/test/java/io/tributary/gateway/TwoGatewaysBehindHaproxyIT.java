package io.tributary.gateway;

import static io.tributary.testing.batch.TestBatches.batch;
import static io.tributary.testing.mqtt.MqttTestClients.telemetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.contract.registry.DeviceRegistryClient;
import io.tributary.gateway.testing.TestCertificates;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.testing.mqtt.MqttTestClients;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway instances behind Debian's HAProxy with the documented {@code bench/haproxy.cfg}: devices connect to one
 * address (plain and TLS), connections spread over both instances, and when one instance stops its devices reconnect
 * through the same address to the other. Skipped when haproxy is not installed ({@code apt-get install -y haproxy}).
 */
class TwoGatewaysBehindHaproxyIT {

    private static final String PREFIX = "lb.";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private static LocalStack stack;
    private static DeviceRegistryClient registry;
    private static Gateway first;
    private static Gateway second;
    private static Process haproxy;
    private static int lbPort;
    private static int lbTlsPort;
    private static TestCertificates certificates;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> binary = onPath("haproxy");
        Assumptions.assumeTrue(binary.isPresent(), "haproxy not installed");
        Assumptions.assumeTrue(TestCertificates.opensslAvailable(), "openssl not on PATH");
        certificates = TestCertificates.create(dir);
        stack = LocalStack.start(LocalStackOptions.defaults().withStartInflux(false));
        stack.createTopics(2, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "device-status");
        registry = new DeviceRegistryClient(stack.kafkaBootstrapServers(), PREFIX, Map.of(), TIMEOUT);
        first = startGateway();
        second = startGateway();
        lbPort = freePort();
        lbTlsPort = freePort();
        ProcessBuilder builder = new ProcessBuilder(binary.get().toString(), "-f",
                Path.of("bench/haproxy.cfg").toAbsolutePath().toString(), "-db")
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("LB_BIND", "127.0.0.1");
        env.put("LB_MQTT_PORT", String.valueOf(lbPort));
        env.put("LB_MQTTS_PORT", String.valueOf(lbTlsPort));
        int n = 1;
        for (Gateway gateway : List.of(first, second)) {
            env.put("GW" + n, "127.0.0.1");
            env.put("GW" + n + "_MQTT_PORT", String.valueOf(gateway.mqttPort()));
            env.put("GW" + n + "_MQTTS_PORT", String.valueOf(gateway.tlsPort()));
            env.put("GW" + n + "_HTTP_PORT", String.valueOf(gateway.httpPort()));
            n++;
        }
        haproxy = builder.start();
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", lbPort), 500);
                return true;
            }
        });
    }

    private static Gateway startGateway() {
        Gateway gateway = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .httpPort(0)
                .kafkaBootstrapServers(stack.kafkaBootstrapServers())
                .topicPrefix(PREFIX)
                .verticleInstances(1)
                .shutdownTimeout(Duration.ofSeconds(2))
                .authentication(GatewayConfig.Authentication.REGISTRY)
                .tls(new TlsSettings(0, certificates.serverPem(), certificates.serverKey(), null, true)).build());
        gateway.start().toCompletableFuture().join();
        return gateway;
    }

    @AfterAll
    static void stop() {
        if (haproxy != null) {
            haproxy.destroy();
        }
        Stream.of(first, second).filter(g -> g != null).forEach(Gateway::close);
        if (registry != null) {
            registry.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void devicesUseOneAddressSpreadOverBothInstancesAndMoveWhenOneStops() throws Exception {
        Map<String, String> secrets = registry.provisionAll(List.of("lb-0", "lb-1", "lb-2", "lb-3", "lb-4", "lb-5"));
        await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
            for (Gateway gateway : List.of(first, second)) {
                MqttTestClients.v5WithSecret(gateway.mqttPort(), "lb-5", secrets.get("lb-5")).close();
            }
        });
        long firstBefore = first.metrics().snapshot().connectionsAccepted();
        long secondBefore = second.metrics().snapshot().connectionsAccepted();

        List<MqttTestClients.V5> devices = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                String id = "lb-" + i;
                MqttTestClients.V5 device = MqttTestClients.v5WithSecret(lbPort, id, secrets.get(id));
                devices.add(device);
                assertThat(device.publishAndAwaitReason(telemetry(id), batch(id, 1, 1).toByteArray())).isZero();
            }
            // leastconn spreads the four connections over both instances.
            assertThat(first.metrics().snapshot().connectionsOpen()).isPositive();
            assertThat(second.metrics().snapshot().connectionsOpen()).isPositive();
            assertThat(first.metrics().snapshot().connectionsAccepted() - firstBefore
                    + second.metrics().snapshot().connectionsAccepted() - secondBefore).isEqualTo(4);

            // TLS passes through the balancer; the gateways terminate it.
            MqttAsyncClient tls = new MqttAsyncClient("ssl://127.0.0.1:" + lbTlsPort, "lb-4", new MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setSocketFactory(certificates.socketFactory(null));
            options.setHttpsHostnameVerificationEnabled(false);
            options.setUserName("lb-4");
            options.setPassword(secrets.get("lb-4").getBytes(StandardCharsets.UTF_8));
            tls.connect(options).waitForCompletion(10_000);
            var token = tls.publish(telemetry("lb-4"), batch("lb-4", 1, 1).toByteArray(), 1, false);
            token.waitForCompletion(10_000);
            assertThat(token.getReasonCodes()).containsExactly(0);
            tls.disconnect().waitForCompletion(5_000);
            tls.close();

            // One instance goes away: its devices lose the connection and get back in through the same address.
            second.close();
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(devices)
                    .filteredOn(d -> d.disconnected.get() != null || !d.client.isConnected()).isNotEmpty());
            for (int i = 0; i < 4; i++) {
                String id = "lb-" + i;
                if (!devices.get(i).client.isConnected()) {
                    devices.get(i).close();
                    await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
                        MqttTestClients.V5 again = MqttTestClients.v5WithSecret(lbPort, id, secrets.get(id));
                        devices.add(again);
                        assertThat(again.publishAndAwaitReason(telemetry(id), batch(id, 2, 1).toByteArray())).isZero();
                    });
                }
            }
            assertThat(first.metrics().snapshot().connectionsOpen()).isEqualTo(4);
        } finally {
            for (MqttTestClients.V5 device : devices) {
                try {
                    device.close();
                } catch (Exception e) {
                    // already gone
                }
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin";
        return Stream.of(path.split(File.pathSeparator)).map(d -> Path.of(d, name)).filter(Files::isExecutable)
                .findFirst();
    }
}
