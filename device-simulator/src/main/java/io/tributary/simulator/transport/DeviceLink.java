package io.tributary.simulator.transport;

import io.tributary.mqtt.PubAck;
import java.util.concurrent.CompletionStage;

/** One device's MQTT session, as the simulator needs it. Implementations are thread-safe. */
public interface DeviceLink extends AutoCloseable {

    /** Connects; completes when the CONNACK accepted the session. */
    CompletionStage<Void> connect();

    /**
     * Publishes with QoS 1; completes with the gateway's PUBACK, or exceptionally when the publish could not be
     * completed (connection lost, client error).
     */
    CompletionStage<PubAck> publish(String topic, byte[] payload);

    /** Called (once per loss) when an established connection drops. */
    void onConnectionLost(Runnable listener);

    /**
     * Drops the connection without a DISCONNECT, as a network failure would: the connection-lost listener runs, and the
     * gateway publishes the device's last will.
     */
    default void drop() {
        throw new UnsupportedOperationException("this MQTT client cannot drop a connection on purpose: use vertx");
    }

    /** Disconnects cleanly, waiting a bounded time; never throws. */
    @Override
    void close();
}
