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
}
