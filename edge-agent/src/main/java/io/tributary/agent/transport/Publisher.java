package io.tributary.agent.transport;

import io.tributary.mqtt.PubAck;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** The agent's uplink (MQTT 5). */
public interface Publisher extends AutoCloseable {

    boolean isConnected();

    /**
     * Connects (clean start), registering {@code lastWill} as the will on the status topic, subscribes to the config
     * topic, then publishes {@code birth} on the status topic. Blocks up to the connect timeout.
     *
     * @return the gateway's Receive Maximum (65535 if it sent none)
     */
    int connect(byte[] birth, byte[] lastWill) throws Exception;

    /**
     * Publishes with QoS 1; completes with the PUBACK (reason code 0x00-0x7F success, 0x80+ refusal, and the Reason
     * String if the gateway sent one), or exceptionally when no PUBACK came (connection lost, client error).
     */
    CompletableFuture<PubAck> publish(String topic, byte[] payload);

    /**
     * The largest packet the gateway accepts (its CONNACK Maximum Packet Size), {@link Long#MAX_VALUE} if it named
     * none. A bigger publish would not be refused with a PUBACK but end the connection (client or gateway side), and be
     * sent again after every reconnect.
     */
    default long maximumPacketSize() {
        return Long.MAX_VALUE;
    }

    void onConfig(Consumer<byte[]> listener);

    /** Drops the connection (the agent reconnects with backoff). */
    void disconnect();

    @Override
    void close();
}
