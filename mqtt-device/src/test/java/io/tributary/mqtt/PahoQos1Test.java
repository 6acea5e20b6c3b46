package io.tributary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.tributary.mqtt.ReasonCodes.Kind;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real Paho client against a real MQTT 5 server (Vert.x) that answers each publish as its topic says:
 * {@code ack/CODE[/REASON]} with PUBACK CODE (hex) and the Reason String REASON, {@code silent} never.
 */
class PahoQos1Test {

    private static final byte[] PAYLOAD = "batch".getBytes(StandardCharsets.UTF_8);

    private Vertx vertx;
    private MqttServer server;
    private final AtomicReference<MqttEndpoint> endpoint = new AtomicReference<>();
    private MqttAsyncClient client;

    @BeforeEach
    void startServerAndConnect() throws Exception {
        vertx = Vertx.vertx();
        server = MqttServer.create(vertx, new MqttServerOptions().setHost("127.0.0.1"));
        server.endpointHandler(device -> {
            endpoint.set(device);
            device.publishHandler(message -> {
                String[] answer = message.topicName().split("/", 3);
                if (answer[0].equals("ack")) {
                    MqttProperties properties = new MqttProperties();
                    if (answer.length == 3) {
                        properties.add(new MqttProperties.StringProperty(
                                MqttProperties.MqttPropertyType.REASON_STRING.value(), answer[2]));
                    }
                    device.publishAcknowledge(message.messageId(),
                            MqttPubAckReasonCode.valueOf((byte) Integer.parseInt(answer[1], 16)), properties);
                }
            });
            device.accept(false);
        });
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
        client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "device-1", new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setAutomaticReconnect(false);
        client.connect(options).waitForCompletion(10_000);
    }

    @AfterEach
    void stop() throws Exception {
        if (client.isConnected()) {
            client.disconnect(0).waitForCompletion(5_000);
        }
        client.close(true);
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldCompleteWithTheSharedSuccessWhenThePubackSaysSuccess() throws Exception {
        assertThat(answer("ack/00")).isSameAs(PubAck.SUCCESS);
    }

    @Test
    void shouldKeepAnAcceptingCodeOtherThanSuccess() throws Exception {
        PubAck ack = answer("ack/10");

        assertThat(ack.reasonCode()).isEqualTo(0x10);
        assertThat(ack.kind()).isEqualTo(Kind.ACCEPTED);
    }

    @Test
    void shouldCompleteARefusalWithItsCodeAndReasonStringNotExceptionally() throws Exception {
        PubAck ack = answer("ack/99/reading 3 (temp): not finite");

        assertThat(ack).isEqualTo(new PubAck(0x99, "reading 3 (temp): not finite"));
        assertThat(ack.kind()).isEqualTo(Kind.PERMANENT);
    }

    @Test
    void shouldCompleteATransientRefusalWithoutReasonString() throws Exception {
        PubAck ack = answer("ack/97");

        assertThat(ack).isEqualTo(PubAck.of(0x97));
        assertThat(ack.kind()).isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void shouldStayPendingWithoutPubackAndFailWhenTheConnectionEnds() throws Exception {
        // Given a publish the server never answers
        CompletableFuture<PubAck> unanswered = PahoQos1.publish(client, "silent", PAYLOAD);
        assertThatThrownBy(() -> unanswered.get(500, TimeUnit.MILLISECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);

        // When the connection ends
        endpoint.get().close();

        // Then the publish completes exceptionally: no answer is never read as success
        assertThatThrownBy(() -> unanswered.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(MqttException.class);
    }

    @Test
    void shouldFailAtOnceWhenNotConnected() throws Exception {
        client.disconnect(0).waitForCompletion(5_000);

        CompletableFuture<PubAck> result = PahoQos1.publish(client, "ack/00", PAYLOAD);

        assertThat(result).isCompletedExceptionally();
        assertThatThrownBy(result::get).hasCauseInstanceOf(MqttException.class);
    }

    private PubAck answer(String topic) throws Exception {
        return PahoQos1.publish(client, topic, PAYLOAD).get(10, TimeUnit.SECONDS);
    }
}
