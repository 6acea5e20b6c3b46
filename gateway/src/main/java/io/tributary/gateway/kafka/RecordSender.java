package io.tributary.gateway.kafka;

import io.vertx.core.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Hands records to Kafka and tells the outcome on the caller's Vert.x context. */
public interface RecordSender {

    /** Sends {@code record} on a Vert.x context, never blocking it; completes there once Kafka acknowledged it. */
    Future<RecordMetadata> send(ProducerRecord<String, byte[]> record);

    /** As {@link io.tributary.gateway.outbound.TelemetrySink#congested()}. */
    default boolean congested() {
        return false;
    }

    /** As {@link io.tributary.gateway.outbound.TelemetrySink#whenDecongested(Runnable)}. */
    default void whenDecongested(Runnable resumer) {
        resumer.run();
    }
}
