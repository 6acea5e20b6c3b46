package io.tributary.gateway.kafka;

import io.tributary.gateway.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaWriteStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RecordSender} on vertx-kafka-client (docs/adr/0005): it calls {@code producer.send()} on an ordered worker
 * of its own, so a send that waits for topic metadata or buffer space never blocks an event loop and records keep
 * the order they were sent in, and it completes each record on the sending context. Every record is charged to the
 * {@link InFlightAccounting}: at its pause mark the sender is congested and connections stop reading; at its hard
 * limit records are refused with {@link GatewayOverloadedException}.
 */
public final class VertxKafkaRecordSender extends AccountedRecordSender {

    private static final Logger LOG = LoggerFactory.getLogger(VertxKafkaRecordSender.class);

    private final KafkaWriteStream<String, byte[]> stream;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param producer the shared producer; its owner closes it
     * @param accounting what each record is charged to
     */
    public VertxKafkaRecordSender(Vertx vertx, Producer<String, byte[]> producer, InFlightAccounting accounting) {
        super(accounting);
        this.stream = KafkaWriteStream.create(vertx, producer);
        // Every send's outcome is handled by its caller; without this handler failures are also logged as unhandled.
        stream.exceptionHandler(e -> LOG.debug("Kafka send failed: {}", e.toString()));
    }

    /** @param maxInFlightBytes bytes that may wait for Kafka's acknowledgement at once; congested only at that limit */
    public VertxKafkaRecordSender(Vertx vertx, Producer<String, byte[]> producer, long maxInFlightBytes,
            GatewayMetrics metrics) {
        this(vertx, producer, new InFlightAccounting(new InFlightLimits(maxInFlightBytes, maxInFlightBytes), metrics));
    }

    @Override
    protected Future<RecordMetadata> sendCharged(ProducerRecord<String, byte[]> record, long size) {
        long start = System.nanoTime();
        if (closed.get()) {
            accounting.finished(size, start, false);
            accounting.release(size);
            return Future.failedFuture(new IllegalStateException("the Kafka sender is closed"));
        }
        Promise<RecordMetadata> outcome = Promise.promise();
        stream.send(record).onComplete(result -> {
            accounting.finished(size, start, result.succeeded());
            outcome.handle(result);
            // After the outcome: resumed connections then find this record's PUBACK already written.
            accounting.release(size);
        });
        return outcome.future();
    }

    /** Records charged to this sender's accounting and still without outcome. */
    public long inFlightRecords() {
        return accounting.inFlightRecords();
    }

    /** Refuses further records; those sent already still get their outcome (the producer's owner closes it). */
    public void close() {
        closed.set(true);
    }
}
