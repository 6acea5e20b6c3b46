package io.tributary.simulator.transport;

import io.tributary.mqtt.PahoQos1;
import io.tributary.mqtt.PubAck;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device session over Eclipse Paho's MQTT 5 async client. Durability is the simulator's business (it keeps every batch
 * until PUBACK), so Paho keeps its in-flight state in memory and never reconnects on its own.
 */
public final class PahoDeviceLink implements DeviceLink {

    private static final Logger LOG = LoggerFactory.getLogger(PahoDeviceLink.class);
    private static final long DISCONNECT_TIMEOUT_MS = 2_000;

    private final MqttAsyncClient client;
    private final MqttConnectionOptions options;
    private final AtomicReference<Runnable> connectionLostListener = new AtomicReference<>(() -> { });

    public PahoDeviceLink(String serverUri, String deviceId, byte[] password) {
        try {
            this.client = new MqttAsyncClient(serverUri, deviceId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("cannot create an MQTT client for " + serverUri + ": " + e.getMessage(), e);
        }
        this.options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        options.setUserName(deviceId);
        if (password != null) {
            options.setPassword(password);
        }
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        client.setCallback(new LossListener());
    }

    /** A factory for a fleet whose devices authenticate with username = device id and no password. */
    public static DeviceLinkFactory factory(String serverUri) {
        return factory(serverUri, deviceId -> null);
    }

    /** A factory for a fleet whose devices authenticate with username = device id and the given passwords. */
    public static DeviceLinkFactory factory(String serverUri, Function<String, byte[]> passwords) {
        return deviceId -> new PahoDeviceLink(serverUri, deviceId, passwords.apply(deviceId));
    }

    @Override
    public CompletionStage<Void> connect() {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        try {
            client.connect(options, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    connected.complete(null);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    connected.completeExceptionally(cause);
                }
            });
        } catch (MqttException | RuntimeException e) {
            connected.completeExceptionally(e);
        }
        return connected;
    }

    @Override
    public CompletionStage<PubAck> publish(String topic, byte[] payload) {
        return PahoQos1.publish(client, topic, payload);
    }

    @Override
    public void onConnectionLost(Runnable listener) {
        connectionLostListener.set(listener);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(DISCONNECT_TIMEOUT_MS).waitForCompletion(DISCONNECT_TIMEOUT_MS);
            }
        } catch (MqttException e) {
            LOG.debug("Clean disconnect failed, closing anyway [client: {}]", client.getClientId(), e);
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("Closing the MQTT client failed [client: {}]", client.getClientId(), e);
        }
    }

    private final class LossListener implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            LOG.debug("Connection lost [client: {}, reason: {}]", client.getClientId(), response);
            connectionLostListener.get().run();
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.debug("MQTT error [client: {}]", client.getClientId(), exception);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            LOG.debug("Ignoring downlink message [client: {}, topic: {}, bytes: {}]", client.getClientId(), topic,
                    message.getPayload().length);
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // Outcomes are taken from each publish's own listener.
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            LOG.debug("Connected [client: {}, server: {}]", client.getClientId(), serverUri);
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            LOG.debug("Unexpected AUTH packet [client: {}, reason: {}]", client.getClientId(), reasonCode);
        }
    }
}
