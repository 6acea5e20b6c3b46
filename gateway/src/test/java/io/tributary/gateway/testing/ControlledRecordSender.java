package io.tributary.gateway.testing;

import io.tributary.gateway.kafka.GatewayOverloadedException;
import io.tributary.gateway.kafka.RecordSender;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link RecordSender} whose outcomes the test decides: it keeps every record and completes it (back on the sending
 * context, like the real sender) when and how the test says. For component tests of the MQTT side only; the
 * integration tests use the real Kafka broker.
 */
public final class ControlledRecordSender implements RecordSender {

    /** What happens to a record on arrival. */
    public enum Mode { HOLD, ACKNOWLEDGE, FAIL, OVERLOAD }

    /** One record handed over, with its pending outcome. */
    public static final class Sent {
        private final ProducerRecord<String, byte[]> record;
        private final Promise<RecordMetadata> promise = Promise.promise();
        private final Context context;

        Sent(ProducerRecord<String, byte[]> record, Context context) {
            this.record = record;
            this.context = context;
        }

        public ProducerRecord<String, byte[]> record() {
            return record;
        }

        public void acknowledge() {
            RecordMetadata metadata = new RecordMetadata(new TopicPartition(record.topic(), 0), 0, 0, 0, 0, 0);
            context.runOnContext(v -> promise.tryComplete(metadata));
        }

        public void fail(Throwable error) {
            context.runOnContext(v -> promise.tryFail(error));
        }
    }

    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.ACKNOWLEDGE;

    public void mode(Mode newMode) {
        this.mode = newMode;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        Mode now = mode;
        if (now == Mode.OVERLOAD) {
            return Future.failedFuture(new GatewayOverloadedException("test overload"));
        }
        Sent entry = new Sent(record, Vertx.currentContext());
        sent.add(entry);
        if (now == Mode.ACKNOWLEDGE) {
            entry.acknowledge();
        } else if (now == Mode.FAIL) {
            entry.fail(new org.apache.kafka.common.errors.TimeoutException("test: Kafka unavailable"));
        }
        return entry.promise.future();
    }

    private boolean congested;
    private List<Runnable> resumers = new java.util.ArrayList<>();

    /** Sets whether {@link #congested()} reports congestion; clearing it runs the registered resumers. */
    public void congested(boolean value) {
        List<Runnable> due;
        synchronized (this) {
            congested = value;
            if (value) {
                return;
            }
            due = resumers;
            resumers = new java.util.ArrayList<>();
        }
        due.forEach(Runnable::run);
    }

    @Override
    public synchronized boolean congested() {
        return congested;
    }

    @Override
    public void whenDecongested(Runnable resumer) {
        synchronized (this) {
            if (congested) {
                resumers.add(resumer);
                return;
            }
        }
        resumer.run();
    }

    public List<Sent> sent() {
        return sent;
    }

    public Sent sent(int index) {
        return sent.get(index);
    }

    public List<ProducerRecord<String, byte[]>> records(String topic) {
        return sent.stream().map(Sent::record).filter(r -> r.topic().equals(topic)).collect(Collectors.toList());
    }
}
