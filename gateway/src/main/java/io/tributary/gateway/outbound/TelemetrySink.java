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

    /**
     * Whether the broker is not keeping up: a caller that just sent should stop reading from its device and
     * {@link #whenDecongested resume} later. Thread-safe.
     */
    default boolean congested() {
        return false;
    }

    /**
     * Runs {@code resumer} once the sink is no longer congested: at once if it is not, else from whatever thread
     * frees enough room. {@code resumer} must be quick, must not throw, and should hop to its own context for the
     * actual work. Thread-safe.
     */
    default void whenDecongested(Runnable resumer) {
        resumer.run();
    }
}
