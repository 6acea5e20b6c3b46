package io.tributary.gateway.kafka;

import io.tributary.gateway.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RecordSender} on one shared, thread-safe Kafka producer ({@code kafka-clients}, not the Vert.x wrapper).
 *
 * <p>{@code KafkaProducer.send()} blocks in two cases: topic metadata is unknown, or the producer's buffer is full.
 * Neither may happen on an event loop, so {@link #send} only queues the record, and one thread of this sender hands
 * the queue to the producer in order. {@link #warmUp} fetches the topics' metadata before the MQTT server listens and
 * {@link #keepWarm} keeps it from expiring (both on a worker thread), but a producer can still lose a topic's metadata
 * when its brokers go away, and then {@code send()} waits up to {@code max.block.ms} per record. The bytes queued or
 * in the producer's buffer are kept well below {@code buffer.memory} by {@link InFlightLimits}: at its pause mark the
 * sender reports {@link #congested()} and connections stop reading their sockets until it drains; at its hard limit
 * records are refused with {@link GatewayOverloadedException}.
 *
 * <p>The producer's callback runs on Kafka's I/O thread; the outcome is handed back to the sending Vert.x context
 * with {@code runOnContext}, so callers only ever touch their MQTT endpoint on its own event loop.
 *
 * <p>Thread hand-offs are batched per event-loop context (a {@link Lane}): records sent during one turn of an event
 * loop reach the hand-over thread as one batch at the end of that turn, and outcomes that arrive together from Kafka's
 * I/O thread are finished in one task on the sending loop. On this box a thread wake-up costs as much as the rest of a
 * message's work, so waking each thread once per batch rather than once per record is most of the gateway's
 * efficiency at moderate load.
 */
public final class KafkaRecordSender implements RecordSender, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRecordSender.class);
    private static final int RECORD_OVERHEAD_BYTES = 70;

    private final Producer<String, byte[]> producer;
    private final InFlightLimits limits;
    private final Duration deliveryTimeout;
    private final GatewayMetrics metrics;
    private final AtomicLong inFlightRecords = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Batches of records waiting to be handed to the producer; bounded by {@link #limits} through their bytes. */
    private final LinkedBlockingQueue<List<InFlight>> queue = new LinkedBlockingQueue<>();
    /** One lane per event-loop context that sends; there are as many as verticle instances. */
    private final Map<Context, Lane> lanes = new ConcurrentHashMap<>();
    private final Thread handOver;
    /** True while the hand-over thread is inside {@code producer.send()}; only that thread touches it. */
    private boolean handingOver;
    /** Ends the hand-over thread. */
    private final List<InFlight> endOfQueue = List.of();

    /**
     * @param producer the shared producer; this sender owns it and closes it
     * @param maxInFlightBytes bytes that may wait for Kafka's acknowledgement at once; congested only at that limit
     * @param metrics where in-flight records are counted
     */
    public KafkaRecordSender(Producer<String, byte[]> producer, long maxInFlightBytes, GatewayMetrics metrics) {
        this(producer, new InFlightLimits(maxInFlightBytes, maxInFlightBytes), metrics);
    }

    /**
     * @param producer the shared producer; this sender owns it and closes it
     * @param limits the pause mark and hard limit of the bytes waiting for Kafka's acknowledgement
     * @param metrics where in-flight records are counted
     */
    public KafkaRecordSender(Producer<String, byte[]> producer, InFlightLimits limits, GatewayMetrics metrics) {
        this(producer, limits, Duration.ofSeconds(30), metrics);
    }

    /**
     * @param producer the shared producer; this sender owns it and closes it
     * @param limits the pause mark and hard limit of the bytes waiting for Kafka's acknowledgement
     * @param deliveryTimeout how long a record may wait for the producer to know its topic (while Kafka is gone)
     *     before it fails; the producer's {@code delivery.timeout.ms}
     * @param metrics where in-flight records are counted
     */
    public KafkaRecordSender(Producer<String, byte[]> producer, InFlightLimits limits, Duration deliveryTimeout,
            GatewayMetrics metrics) {
        this.deliveryTimeout = deliveryTimeout;
        this.producer = producer;
        this.limits = limits;
        this.metrics = metrics;
        this.handOver = new Thread(this::handOverLoop, "kafka-send-handover");
        handOver.setDaemon(true);
        handOver.start();
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        long size = sizeOf(record);
        if (!limits.tryAcquire(size)) {
            return Future.failedFuture(new GatewayOverloadedException(
                    "more than " + limits.hardLimitBytes() + " bytes in flight to Kafka"));
        }
        metrics.kafkaInFlightBytes(size);
        Context context = Vertx.currentContext();
        Lane lane = context == null ? null : laneOf(context);
        Promise<RecordMetadata> promise = Promise.promise();
        InFlight inFlight = new InFlight(size, record, lane, promise);
        inFlightRecords.incrementAndGet();
        metrics.kafkaSendStarted();
        if (lane != null && context.isEventLoopContext() && Context.isOnEventLoopThread()) {
            lane.queueForHandOver(inFlight);
        } else {
            enqueue(List.of(inFlight));
        }
        return promise.future();
    }

    private Lane laneOf(Context context) {
        // A duplicated context (Vert.x makes them per request in some servers) runs on its root's thread: one lane.
        Context root = context instanceof ContextInternal internal ? internal.unwrap() : context;
        return lanes.computeIfAbsent(root, Lane::new);
    }

    /** Queues {@code batch} for the hand-over thread, or fails it when this sender is closed. */
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
     * Hands queued records to the producer, in arrival order, on this thread of its own: {@code producer.send()} may
     * block (up to {@code max.block.ms} when it lost a topic's metadata, e.g. while Kafka is down), and an event loop
     * must never wait for that. While it blocks, the queue grows, its bytes count as in flight, and the connections
     * pause at the pause mark.
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
     * brokers are gone) or for buffer space, it reports a {@code TimeoutException} to the callback at once, on this
     * thread; then the record waits for Kafka's return, as one in the producer's buffer would, until its delivery
     * timeout, while the queue behind it grows and the connections pause.
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

    @Override
    public boolean congested() {
        return limits.atPauseMark();
    }

    @Override
    public void whenDecongested(Runnable resumer) {
        limits.whenBelowResumeMark(resumer);
    }

    /** Records handed to the producer and still without outcome. */
    public long inFlightRecords() {
        return inFlightRecords.get();
    }

    /**
     * Fetches the metadata of {@code topics}, retrying until {@code timeout}. Blocks: call it on a worker thread.
     *
     * @throws KafkaUnavailableException when Kafka is unreachable or a topic unknown after {@code timeout}
     */
    public void warmUp(Collection<String> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String topic : topics) {
            RuntimeException last = null;
            while (true) {
                try {
                    List<PartitionInfo> partitions = producer.partitionsFor(topic);
                    if (!partitions.isEmpty()) {
                        LOG.debug("Kafka topic ready [topic: {}, partitions: {}]", topic, partitions.size());
                        break;
                    }
                } catch (RetriableException e) {
                    last = e;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new KafkaUnavailableException("Kafka did not provide metadata for topic '" + topic
                            + "' within " + timeout.toMillis() + " ms (is Kafka reachable and the topic created?)",
                            last);
                }
            }
        }
    }

    /**
     * Touches the metadata of {@code topics} so the producer keeps it (it forgets topics idle for
     * {@code metadata.max.idle.ms}, and the next send would block to fetch it again). Blocks at most
     * {@code max.block.ms} per topic: call it on a worker thread. Failures are logged, never thrown.
     */
    public void keepWarm(Collection<String> topics) {
        for (String topic : topics) {
            if (closed.get()) {
                return;
            }
            try {
                producer.partitionsFor(topic);
            } catch (KafkaException e) {
                LOG.warn("Could not refresh Kafka metadata [topic: {}]: {}", topic, e.toString());
            }
        }
    }

    /** Flushes and closes the producer, waiting at most {@code timeout}. Idempotent. */
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

    private static long sizeOf(ProducerRecord<String, byte[]> record) {
        long size = RECORD_OVERHEAD_BYTES;
        if (record.key() != null) {
            size += record.key().length() * 3L; // UTF-8 upper bound, without encoding it twice
        }
        if (record.value() != null) {
            size += record.value().length;
        }
        for (Header header : record.headers()) {
            size += header.key().getBytes(StandardCharsets.UTF_8).length
                    + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    /**
     * The records one event-loop context sends and the outcomes it finishes, each batched per turn of the loop. The
     * outgoing list is touched only on the loop; finished records arrive from any thread.
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

    /** One record on its way, and its accounting; finished exactly once whatever path reports the outcome. */
    private final class InFlight {
        private final long size;
        private final ProducerRecord<String, byte[]> record;
        private final Lane lane;
        private final Promise<RecordMetadata> promise;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final long startNanos = System.nanoTime();
        /** The outcome, set once before {@link #finish()}; published to the loop through the lane's queue. */
        private RecordMetadata metadata;
        private Exception error;

        InFlight(long size, ProducerRecord<String, byte[]> record, Lane lane, Promise<RecordMetadata> promise) {
            this.size = size;
            this.record = record;
            this.lane = lane;
            this.promise = promise;
        }

        /** The outcome, from any thread: finished on the sending context; the first outcome wins. */
        void complete(RecordMetadata metadata, Exception error) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            this.metadata = metadata;
            this.error = error;
            if (lane == null) {
                finish();
            } else {
                lane.finishOnLoop(this);
            }
        }

        private void finish() {
            inFlightRecords.decrementAndGet();
            metrics.kafkaInFlightBytes(-size);
            metrics.kafkaSendFinished();
            metrics.kafkaSendLatency(System.nanoTime() - startNanos, error == null);
            if (error == null) {
                promise.tryComplete(metadata);
            } else {
                promise.tryFail(error);
            }
            // After the outcome: resumed connections then find this record's PUBACK already written.
            limits.release(size);
        }
    }
}
