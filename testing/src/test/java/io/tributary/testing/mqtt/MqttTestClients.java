package io.tributary.testing.mqtt;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** Real Paho MQTT 5 and 3.1.1 clients for tests (batches: {@code io.tributary.testing.batch.TestBatches}). */
public final class MqttTestClients {

    private MqttTestClients() {
    }

    /** An MQTT 5 client that records how it was disconnected and the order its publishes completed. */
    public static final class V5 implements AutoCloseable {
        public final MqttAsyncClient client;
        public final AtomicReference<MqttDisconnectResponse> disconnected = new AtomicReference<>();
        public final CopyOnWriteArrayList<Integer> completedMessageIds = new CopyOnWriteArrayList<>();
        /** The properties of the server's CONNACK. */
        public volatile MqttProperties connAckProperties;
        /** Messages the server sent: topic, message. */
        public final CopyOnWriteArrayList<java.util.Map.Entry<String, MqttMessage>> received =
                new CopyOnWriteArrayList<>();

        V5(MqttAsyncClient client) {
            this.client = client;
        }

        /**
         * Publishes and returns the token (not waiting). Paho releases an in-flight slot a moment after it completes
         * the token, so a publish right behind a completed one may be refused by the client itself ("too many
         * publishes in progress", nothing sent): that one is tried again for up to 10 s.
         */
        public IMqttToken publish(String topic, byte[] payload, int qos) throws MqttException {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    return client.publish(topic, payload, qos, false);
                } catch (MqttException e) {
                    if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT
                            || System.nanoTime() > deadline) {
                        throw e;
                    }
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }

        /** Publishes QoS 1 and waits for the PUBACK; returns its reason code. */
        public int publishAndAwaitReason(String topic, byte[] payload) throws MqttException {
            IMqttToken token = publish(topic, payload, 1);
            token.waitForCompletion(10_000);
            return token.getReasonCodes()[0];
        }

        @Override
        public void close() throws MqttException {
            if (client.isConnected()) {
                client.disconnect(0).waitForCompletion(5_000); // quiesce 0: do not wait for unanswered publishes
            }
            client.close(true);
        }
    }

    /** Connects an MQTT 5 client with {@code clientId} (= device id). */
    public static V5 v5(int port, String clientId) throws MqttException {
        return v5(port, clientId, new MqttConnectionOptions());
    }

    /** Connects an MQTT 5 client with the given options (clean start, no reconnect are forced). */
    public static V5 v5(int port, String clientId, MqttConnectionOptions options) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        V5 v5 = new V5(client);
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                v5.disconnected.set(response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                v5.received.add(java.util.Map.entry(topic, message));
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
                v5.completedMessageIds.add(token.getMessageId());
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        IMqttToken connect = client.connect(options);
        connect.waitForCompletion(10_000);
        v5.connAckProperties = connect.getResponseProperties();
        return v5;
    }

    /** An MQTT 3.1.1 client that records whether it lost its connection. */
    public static final class V3 implements AutoCloseable {
        public final org.eclipse.paho.client.mqttv3.MqttAsyncClient client;
        public final AtomicReference<Throwable> connectionLost = new AtomicReference<>();

        V3(org.eclipse.paho.client.mqttv3.MqttAsyncClient client) {
            this.client = client;
        }

        public IMqttDeliveryToken publish(String topic, byte[] payload, int qos)
                throws org.eclipse.paho.client.mqttv3.MqttException {
            return client.publish(topic, payload, qos, false);
        }

        @Override
        public void close() throws org.eclipse.paho.client.mqttv3.MqttException {
            if (client.isConnected()) {
                client.disconnect(0).waitForCompletion(5_000); // quiesce 0: do not wait for unanswered publishes
            }
            client.close(true);
        }
    }

    /** Connects an MQTT 3.1.1 client with {@code clientId} (= device id). */
    public static V3 v3(int port, String clientId) throws org.eclipse.paho.client.mqttv3.MqttException {
        return v3(port, clientId, new MqttConnectOptions());
    }

    /** Connects an MQTT 3.1.1 client with the given options (3.1.1, clean session, no reconnect are forced). */
    public static V3 v3(int port, String clientId, MqttConnectOptions options)
            throws org.eclipse.paho.client.mqttv3.MqttException {
        org.eclipse.paho.client.mqttv3.MqttAsyncClient client = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(
                "tcp://127.0.0.1:" + port, clientId, new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        V3 v3 = new V3(client);
        client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                v3.connectionLost.set(cause);
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        client.connect(options).waitForCompletion(10_000);
        return v3;
    }

    /** Connects an MQTT 5 client as {@code deviceId} with its secret (client id = device id). */
    public static V5 v5WithSecret(int port, String deviceId, String secret) throws MqttException {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(deviceId);
        if (secret != null) {
            options.setPassword(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return v5(port, deviceId, options);
    }

    /** Connects an MQTT 3.1.1 client as {@code deviceId} with its secret (client id = device id). */
    public static V3 v3WithSecret(int port, String deviceId, String secret)
            throws org.eclipse.paho.client.mqttv3.MqttException {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(deviceId);
        if (secret != null) {
            options.setPassword(secret.toCharArray());
        }
        return v3(port, deviceId, options);
    }

    /** The telemetry topic of {@code deviceId}. */
    public static String telemetry(String deviceId) {
        return "devices/" + deviceId + "/telemetry";
    }
}
