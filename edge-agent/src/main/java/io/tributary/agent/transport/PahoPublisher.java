package io.tributary.agent.transport;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5 over Eclipse Paho. The agent owns durability and reconnection, so Paho keeps no files and never reconnects
 * by itself.
 */
public final class PahoPublisher implements Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(PahoPublisher.class);
    private static final long PUBLISH_TIMEOUT_MS = 30_000;

    private final MqttAsyncClient client;
    private final MqttConnectionOptions options = new MqttConnectionOptions();

    public PahoPublisher(String serverUri, String deviceId, String password) {
        try {
            client = new MqttAsyncClient(serverUri, deviceId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("cannot create an MQTT client for " + serverUri + ": " + e.getMessage(), e);
        }
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        options.setUserName(deviceId);
        if (!password.isEmpty()) {
            options.setPassword(password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        options.setConnectionTimeout(15);
        options.setKeepAliveInterval(60);
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void connect() throws MqttException {
        client.connect(options).waitForCompletion();
    }

    @Override
    public int publish(String topic, byte[] payload) throws MqttException {
        IMqttToken token = client.publish(topic, payload, 1, false);
        token.waitForCompletion(PUBLISH_TIMEOUT_MS);
        int[] codes = token.getReasonCodes();
        return codes == null || codes.length == 0 ? 0 : codes[0];
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2_000).waitForCompletion(2_000);
            }
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("Closing the MQTT client failed", e);
        }
    }
}
