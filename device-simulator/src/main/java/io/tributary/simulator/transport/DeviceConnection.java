package io.tributary.simulator.transport;

import java.util.concurrent.CompletionStage;

/** One device's MQTT session, as the simulator needs it. Implementations are thread-safe. */
public interface DeviceConnection extends AutoCloseable {

    /** Connects; completes when the CONNACK accepted the session. */
    CompletionStage<Void> connect();

    /**
     * Publishes with QoS 1; completes with the gateway's PUBACK, or exceptionally when the publish could not be
     * completed (connection lost, client error).
     */
    CompletionStage<PublishOutcome> publish(String topic, byte[] payload);

    /** Called (once per loss) when an established connection drops. */
    void onConnectionLost(Runnable listener);

    /** Disconnects cleanly, waiting a bounded time; never throws. */
    @Override
    void close();
}
