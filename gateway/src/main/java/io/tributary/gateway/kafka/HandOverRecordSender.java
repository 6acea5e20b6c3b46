package io.tributary.gateway.kafka;

import io.tributary.gateway.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RecordSender} on one shared, thread-safe Kafka producer that hands records over from one thread of its
 * own, batched per turn of each event loop (docs/adr/0005: cheaper per message than vertx-kafka-client's one worker
 * task and one context hop per record; kept for the telemetry path only).
 *
 * <p>{@code KafkaProducer.send()} blocks while topic metadata is unknown (its brokers are gone) or its buffer is full;
 * an event loop must never wait for that, so {@link #send} only queues the record and the hand-over thread passes the
 * queue to the producer in order. The bytes queued are bounded by the {@link InFlightAccounting}: at its pause mark
 * the sender is {@link #congested()} and connections stop reading; at its hard limit records are refused with
 * {@link GatewayOverloadedException}.
 *
 * <p>Records sent during one turn of an event loop reach the hand-over thread as one batch at the end of the turn,
 * and outcomes arriving together from Kafka's I/O thread are finished in one task on the sending loop: on this box a
 * thread wake-up costs as much as the rest of a message's work.
 */
public final class HandOverRecordSender extends AccountedRecordSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HandOverRecordSender.class);

    private final Producer<String, byte[]> producer;
    private final Duration deliveryTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Batches of records waiting to be handed to the producer; bounded by {@link #accounting} through their bytes. */
    private final LinkedBlockingQueue<List<InFlight>> queue = new LinkedBlockingQueue<>();
    /**
     * One lane per event-loop thread that sends (as many as verticle instances), keyed by the thread rather than the
     * context: the duplicated contexts Vert.x makes run on their root's thread and share its lane, found without
     * Vert.x's internal API.
     */
    private final Map<Thread, Lane> lanes = new ConcurrentHashMap<>();
    private final Thread handOver;
    /** True while the hand-over thread is inside {@code producer.send()}; only that thread touches it. */
    private boolean handingOver;
    /** Ends the hand-over thread. */
    private final List<InFlight> endOfQueue = List.of();

    /**
     * @param deliveryTimeout how long a record may wait for the producer to know its topic (while Kafka is gone)
     *     before it fails; the producer's {@code delivery.timeout.ms}
     */
    public HandOverRecordSender(Producer<String, byte[]> producer, InFlightAccounting accounting,
            Duration deliveryTimeout) {
        super(accounting);
        this.producer = producer;
        this.deliveryTimeout = deliveryTimeout;
        this.handOver = new Thread(this::handOverLoop, "kafka-send-handover");
        handOver.setDaemon(true);
        handOver.start();
    }

    @Override
    protected Future<RecordMetadata> sendCharged(ProducerRecord<String, byte[]> record, long size) {
        Context context = Vertx.currentContext();
        boolean onItsLoop = context != null && context.isEventLoopContext() && Context.isOnEventLoopThread();
        Lane lane = onItsLoop ? lanes.computeIfAbsent(Thread.currentThread(), t -> new Lane(context)) : null;
        Promise<RecordMetadata> promise = Promise.promise();
        InFlight inFlight = new InFlight(size, record, lane != null ? lane : context, promise);
        if (lane != null) {
            lane.queueForHandOver(inFlight);
        } else {
            enqueue(List.of(inFlight));
        }
        return promise.future();
    }

    private void enqueue(List<InFlight> batch) {
        synchronized (queue) {
            if (!closed.get()) {
                queue.add(batch);
                return;
            }
        }
        for (InFlight inFlight : batch) {
            inFlight.complete(null, new IllegalStateException("the Kafka sender is closed"));
        }
    }

    /**
     * Hands queued records to the producer, in arrival order. While {@code producer.send()} blocks, the queue grows,
     * its bytes count as in flight, and the connections pause at the pause mark.
     */
    private void handOverLoop() {
        List<List<InFlight>> batches = new ArrayList<>();
        while (true) {
            try {
                batches.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            queue.drainTo(batches, 1024);
            for (List<InFlight> batch : batches) {
                if (batch == endOfQueue) {
                    return;
                }
                for (InFlight inFlight : batch) {
                    handOver(inFlight);
                }
            }
            batches.clear();
        }
    }

    /**
     * Hands one record to the producer. When {@code send()} waited {@code max.block.ms} for the topic's metadata (its
     * brokers are gone) it reports a {@code TimeoutException} to the callback at once, on this thread; then the
     * record is tried again, in its place, until its delivery timeout, as one in the producer's buffer would wait.
     */
    private void handOver(InFlight inFlight) {
        while (true) {
            boolean[] waitAgain = new boolean[1];
            handingOver = true;
            try {
                producer.send(inFlight.record, (metadata, error) -> {
                    if (handingOver && Thread.currentThread() == handOver
                            && error instanceof org.apache.kafka.common.errors.TimeoutException
                            && !closed.get() && System.nanoTime() - inFlight.startNanos < deliveryTimeout.toNanos()) {
                        waitAgain[0] = true;
                    } else {
                        inFlight.complete(metadata, error);
                    }
                });
            } catch (KafkaException | IllegalStateException e) {
                // Thrown before the record was accepted (producer closed, serialization): no callback follows.
                inFlight.complete(null, e);
                return;
            } finally {
                handingOver = false;
            }
            if (!waitAgain[0]) {
                return;
            }
            LOG.debug("Kafka producer cannot take a record for topic {} yet; waiting", inFlight.record.topic());
        }
    }

    public long inFlightRecords() {
        return accounting.inFlightRecords();
    }

    /** Stops handing over, waiting at most {@code timeout}, and closes the producer. Idempotent. */
    public void close(Duration timeout) {
        synchronized (queue) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            queue.add(endOfQueue);
        }
        try {
            handOver.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(timeout); // also wakes a hand-over still blocked in send()
        for (List<InFlight> left; (left = queue.poll()) != null; ) {
            for (InFlight inFlight : left) {
                inFlight.complete(null, new IllegalStateException("the Kafka sender is closed"));
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /**
     * The records one event loop sends and the outcomes it finishes, each batched per turn of the loop. The outgoing
     * list is touched only on the loop; finished records arrive from any thread.
     */
    private final class Lane {
        private final Context context;
        private List<InFlight> outgoing = new ArrayList<>();
        private final ConcurrentLinkedQueue<InFlight> finished = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean finishScheduled = new AtomicBoolean();

        Lane(Context context) {
            this.context = context;
        }

        /** On the loop only: the first record of a turn schedules the hand-over, which runs after the turn's I/O. */
        void queueForHandOver(InFlight inFlight) {
            outgoing.add(inFlight);
            if (outgoing.size() == 1) {
                context.runOnContext(v -> {
                    List<InFlight> batch = outgoing;
                    outgoing = new ArrayList<>();
                    enqueue(batch);
                });
            }
        }

        /** From any thread: one task finishes every outcome that arrived before it runs. */
        void finishOnLoop(InFlight inFlight) {
            finished.add(inFlight);
            if (finishScheduled.compareAndSet(false, true)) {
                context.runOnContext(v -> {
                    finishScheduled.set(false); // before polling: an outcome added after this schedules a new task
                    for (InFlight done; (done = finished.poll()) != null; ) {
                        done.finish();
                    }
                });
            }
        }
    }

    /** One record on its way; finished exactly once whatever path reports the outcome. */
    private final class InFlight {
        private final long size;
        private final ProducerRecord<String, byte[]> record;
        /** Where the outcome is finished: a {@link Lane}, another (worker) {@link Context}, or null: any thread. */
        private final Object finishOn;
        private final Promise<RecordMetadata> promise;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final long startNanos = System.nanoTime();
        /** The outcome, set once before {@link #finish()}; published to the loop through the lane's queue. */
        private RecordMetadata metadata;
        private Exception error;

        InFlight(long size, ProducerRecord<String, byte[]> record, Object finishOn, Promise<RecordMetadata> promise) {
            this.size = size;
            this.record = record;
            this.finishOn = finishOn;
            this.promise = promise;
        }

        /** The outcome, from any thread: finished on the sending context; the first outcome wins. */
        void complete(RecordMetadata metadata, Exception error) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            this.metadata = metadata;
            this.error = error;
            if (finishOn instanceof Lane lane) {
                lane.finishOnLoop(this);
            } else if (finishOn instanceof Context context) {
                context.runOnContext(v -> finish());
            } else {
                finish();
            }
        }

        private void finish() {
            accounting.finished(size, startNanos, error == null);
            if (error == null) {
                promise.tryComplete(metadata);
            } else {
                promise.tryFail(error);
            }
            accounting.release(size);
        }
    }
}
