package io.tributary.agent.transport;

import io.tributary.agent.config.BrokerConnection;
import io.tributary.mqtt.PahoQos1;
import io.tributary.mqtt.PubAck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
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
 * MQTT 5 over Eclipse Paho. The agent owns durability (the outbox) and reconnection (backoff), so Paho keeps no files,
 * has no offline buffer and never reconnects by itself.
 */
public final class PahoPublisher implements Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(PahoPublisher.class);

    private final BrokerConnection settings;
    private final String statusTopic;
    private final String configTopic;
    private final MqttAsyncClient client;
    private volatile Consumer<byte[]> configListener = payload -> { };
    private volatile long maximumPacketSize = Long.MAX_VALUE;

    public PahoPublisher(BrokerConnection settings, String clientId, String statusTopic, String configTopic) {
        this.settings = settings;
        this.statusTopic = statusTopic;
        this.configTopic = configTopic;
        try {
            client = new MqttAsyncClient(settings.serverUri(), clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("mqtt.uri: cannot create an MQTT client for " + settings.serverUri()
                    + ": " + e.getMessage(), e);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                LOG.debug("Disconnected [reason: {}]", response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                LOG.debug("MQTT error", exception);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                if (configTopic.equals(topic)) {
                    configListener.accept(message.getPayload());
                }
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public int connect(byte[] birth, byte[] lastWill) throws Exception {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        options.setUserName(settings.username());
        if (!settings.password().isEmpty()) {
            options.setPassword(settings.password().getBytes(StandardCharsets.UTF_8));
        }
        options.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
        options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        options.setWill(statusTopic, new MqttMessage(lastWill, 1, false, new MqttProperties()));
        if (settings.serverUri().startsWith("ssl://")) {
            options.setSocketFactory(sslContext(settings).getSocketFactory());
        }
        IMqttToken connected = client.connect(options);
        try {
            connected.waitForCompletion(settings.connectTimeout().toMillis() + 1000);
        } catch (MqttException e) {
            if (e.getReasonCode() >= 0x80 && e.getReasonCode() <= 0xFF) {
                throw new ConnectRefusedException(e.getReasonCode(), e);
            }
            throw e;
        }
        MqttProperties connack = connected.getResponseProperties();
        Integer receiveMaximum = connack == null ? null : connack.getReceiveMaximum();
        Long maximumPacket = connack == null ? null : connack.getMaximumPacketSize();
        maximumPacketSize = maximumPacket == null || maximumPacket <= 0 ? Long.MAX_VALUE : maximumPacket;
        client.subscribe(configTopic, 1).waitForCompletion(settings.connectTimeout().toMillis());
        client.publish(statusTopic, birth, 1, false).waitForCompletion(settings.connectTimeout().toMillis());
        return receiveMaximum == null || receiveMaximum <= 0 ? 65535 : receiveMaximum;
    }

    @Override
    public CompletableFuture<PubAck> publish(String topic, byte[] payload) {
        return PahoQos1.publish(client, topic, payload);
    }

    @Override
    public long maximumPacketSize() {
        return maximumPacketSize;
    }

    @Override
    public void onConfig(Consumer<byte[]> listener) {
        this.configListener = listener;
    }

    @Override
    public void disconnect() {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1000, true);
            }
        } catch (MqttException e) {
            LOG.debug("Dropping the connection failed", e);
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2_000).waitForCompletion(2_000);
            }
        } catch (MqttException e) {
            LOG.debug("Disconnecting failed", e);
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("Closing the MQTT client failed", e);
        }
    }

    /** Trusts the CA file (PEM, one or more certificates) and presents the PKCS#12 client certificate, if given. */
    public static SSLContext sslContext(BrokerConnection settings) throws GeneralSecurityException, IOException {
        TrustManagerFactory tmf = null;
        if (settings.caFile() != null) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(settings.caFile())) {
                int i = 0;
                for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("ca" + i++, cert);
                }
                if (i == 0) {
                    throw new GeneralSecurityException("mqtt.ca-file: no certificate in " + settings.caFile());
                }
            }
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
        }
        KeyManagerFactory kmf = null;
        if (settings.clientKeystore() != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            char[] password = settings.clientKeystorePassword().toCharArray();
            try (InputStream in = Files.newInputStream(settings.clientKeystore())) {
                keys.load(in, password);
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return context;
    }
}
