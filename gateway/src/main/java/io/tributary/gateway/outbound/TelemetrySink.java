package io.tributary.gateway.outbound;

import io.vertx.core.Future;

/**
 * Where the MQTT side hands what devices sent and what the gateway says about them: telemetry, device status, dead
 * letters and the gateway's own status events. The port between the MQTT layer and the broker: it knows neither
 * Kafka's types nor its topics; an adapter ({@code io.tributary.gateway.kafka.KafkaTelemetrySink}) does.
 */
public interface TelemetrySink {

    /**
     * Hands {@code record} over. Call on a Vert.x context (an event loop); never blocks it. Records of one device
     * handed over from one context are stored in the order they were handed over.
     *
     * @return completes on the calling context once the broker stored the record durably, or fails with a
     *     {@link SendFailure}: at once when the gateway is overloaded, later when the broker did not take it
     */
    Future<Void> send(OutboundRecord record);

    /** Whether the broker is not keeping up: a caller that just sent pauses and {@link #whenDecongested resumes}. */
    default boolean congested() {
        return false;
    }

    /**
     * Runs {@code resumer} once not congested: at once, or from whatever thread frees room. It must be quick, must not
     * throw, and should hop to its own context for the work. Thread-safe.
     */
    default void whenDecongested(Runnable resumer) {
        resumer.run();
    }
}
