package io.tributary.gateway.kafka;

import io.vertx.core.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Hands records to Kafka and tells the outcome on the caller's Vert.x context. */
public interface RecordSender {

    /**
     * Sends {@code record}. Must be called on a Vert.x context (an event loop); never blocks it.
     *
     * @return completes on the calling context once Kafka acknowledged the record ({@code acks=all}), or fails:
     *     at once with {@link GatewayOverloadedException} when too much is in flight, later with Kafka's error
     */
    Future<RecordMetadata> send(ProducerRecord<String, byte[]> record);

    /**
     * Whether Kafka is not keeping up (the bytes waiting for its acknowledgement reached the pause mark): a caller
     * that just sent should stop reading from its device and {@link #whenDecongested resume} later. Thread-safe.
     */
    default boolean congested() {
        return false;
    }

    /**
     * Runs {@code resumer} once the sender is no longer congested: at once if it is not, else from whatever thread
     * releases enough (Kafka's I/O thread, an event loop). {@code resumer} must be quick, must not throw, and should
     * hop to its own context for the actual work. Thread-safe.
     */
    default void whenDecongested(Runnable resumer) {
        resumer.run();
    }
}
