package io.tributary.gateway.kafka;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaWriteStream;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RecordSender} on vertx-kafka-client: it calls {@code producer.send()} on a worker of its own, in order
 * (so a send that blocks for metadata never blocks an event loop), and completes on the sending context. Every record
 * is charged to the {@link InFlightAccounting} like the hand-over sender's.
 */
public final class VertxKafkaRecordSender extends AccountedRecordSender {

    private static final Logger LOG = LoggerFactory.getLogger(VertxKafkaRecordSender.class);

    private final KafkaWriteStream<String, byte[]> stream;

    public VertxKafkaRecordSender(Vertx vertx, Producer<String, byte[]> producer, InFlightAccounting accounting) {
        super(accounting);
        this.stream = KafkaWriteStream.create(vertx, producer);
        // Every send's outcome is handled by its caller; without this handler failures are also logged as unhandled.
        stream.exceptionHandler(e -> LOG.debug("Kafka send failed: {}", e.toString()));
    }

    @Override
    protected Future<RecordMetadata> sendCharged(ProducerRecord<String, byte[]> record, long size) {
        long start = System.nanoTime();
        Promise<RecordMetadata> outcome = Promise.promise();
        stream.send(record).onComplete(result -> {
            accounting.finished(size, start, result.succeeded());
            outcome.handle(result);
            accounting.release(size);
        });
        return outcome.future();
    }
}
