package io.tributary.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.testing.mqtt.MqttTestClients;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Guards the one vertx-mqtt internal the gateway relies on: the socket under an {@link MqttEndpoint}, paused and
 * resumed on a plain vertx-mqtt server (no gateway code around it). A Vert.x upgrade that moves the field or changes
 * what pausing that socket does fails here.
 */
class EndpointSocketsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void findsTheSocketFieldOfThisVertxMqttVersion() {
        assertThatCode(EndpointSockets::check).doesNotThrowAnyException();
    }

    @Test
    void pausingTheSocketHoldsBackPublishesUntilResumed() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        AtomicReference<NetSocket> socket = new AtomicReference<>();
        AtomicReference<Runnable> resume = new AtomicReference<>();
        MqttServer server = MqttServer.create(vertx, new MqttServerOptions().setHost("127.0.0.1"));
        server.endpointHandler(endpoint -> {
            NetSocket under = EndpointSockets.socketOf(endpoint);
            socket.set(under);
            endpoint.publishHandler(message -> {
                received.add(message.payload().toString(StandardCharsets.UTF_8));
                if (received.size() == 1) {
                    under.pause();
                    io.vertx.core.Context context = vertx.getOrCreateContext();
                    resume.set(() -> context.runOnContext(v -> under.resume()));
                }
            });
            endpoint.accept(false);
        });
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS).actualPort();

        try (MqttTestClients.V3 device = MqttTestClients.v3(port, "dev-1")) {
            for (int i = 1; i <= 4; i++) {
                device.publish("t", ("m" + i).getBytes(StandardCharsets.UTF_8), 0).waitForCompletion(10_000);
            }

            await().during(Duration.ofMillis(500)).atMost(TIMEOUT).until(() -> received.size() == 1);
            assertThat(socket.get()).isNotNull();
            resume.get().run();

            await().atMost(TIMEOUT).until(() -> received.size() == 4);
            assertThat(received).containsExactly("m1", "m2", "m3", "m4");
        }
    }

    @Test
    void refusesAnEndpointThatIsNotVertxMqttsImplementation() {
        MqttEndpoint foreign = (MqttEndpoint) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MqttEndpoint.class}, (proxy, method, args) -> null);

        assertThatThrownBy(() -> EndpointSockets.socketOf(foreign)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(EndpointSockets.ENDPOINT_CLASS);
    }
}
