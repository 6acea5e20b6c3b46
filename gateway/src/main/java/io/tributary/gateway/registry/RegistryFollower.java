package io.tributary.gateway.registry;

import io.tributary.contract.registry.RegistryException;
import io.tributary.contract.registry.RegistryListener;
import io.tributary.contract.registry.RegistryState;
import io.tributary.contract.registry.RegistryTopics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the registry topics into a {@link RegistryState} with vertx-kafka-client: assigns every partition from the
 * beginning, applies each polled batch on this verticle's (worker) context, and every
 * {@value #HEARTBEAT_MILLIS} ms asks the consumer's Kafka thread for its positions. An answer is the sign of life the
 * readiness check reads (a Kafka thread stuck in a poll, or a context held by a slow listener, gives none); the first
 * answer at or past the end offsets read at start means loaded. An error from polling or from a listener (an
 * {@link Error}: runtime exceptions only skip the record) stops it for good.
 */
final class RegistryFollower extends VerticleBase {

    static final long HEARTBEAT_MILLIS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(RegistryFollower.class);
    private static final RegistryListener QUIET = new RegistryListener() { };
    private static final long TOPIC_RETRY_MILLIS = 100;

    private final RegistryTopics topics;
    private final Properties consumerProperties;
    private final RegistryState state;
    private final RegistryListener listener;
    private final Duration timeout;
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();
    private KafkaConsumer<String, byte[]> consumer;
    private Set<TopicPartition> partitions;
    private Map<TopicPartition, Long> ends;
    private long deadline;
    private long heartbeatTimer = -1;
    private boolean askingPositions;
    private boolean ready;
    private boolean stopped;
    /** When the Kafka thread last answered (System.nanoTime); 0 before it first did. */
    private volatile long lastPollNanos;
    /** Why the consumer stopped while the view was open; null while it runs. */
    private volatile String stoppedBecause;

    RegistryFollower(RegistryTopics topics, Properties consumerProperties, RegistryState state,
            RegistryListener listener, Duration timeout) {
        this.topics = topics;
        this.consumerProperties = consumerProperties;
        this.state = state;
        this.listener = listener;
        this.timeout = timeout;
    }

    /** Completes once everything written before the start is loaded; fails when it cannot be. */
    CompletableFuture<Void> loaded() {
        return loaded;
    }

    long lastPollNanos() {
        return lastPollNanos;
    }

    String stoppedBecause() {
        return stoppedBecause;
    }

    @Override
    public Future<?> start() {
        deadline = System.nanoTime() + timeout.toNanos();
        consumer = KafkaConsumer.create(vertx, consumerProperties, new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.pollTimeout(Duration.ofMillis(HEARTBEAT_MILLIS));
        consumer.exceptionHandler(this::fail);
        partitionsOf(topics.devices())
                .compose(devices -> partitionsOf(topics.config()).map(config -> {
                    Set<TopicPartition> all = new HashSet<>(devices);
                    all.addAll(config);
                    return all;
                }))
                .compose(all -> {
                    partitions = all;
                    return consumer.assign(all);
                })
                .compose(v -> consumer.seekToBeginning(partitions))
                .compose(v -> consumer.endOffsets(partitions))
                .onSuccess(endOffsets -> {
                    ends = endOffsets;
                    // A whole poll is applied in one go: once a position answer arrives, every record before it
                    // was applied (both come back on this context in the order the Kafka thread produced them).
                    consumer.batchHandler(this::apply);
                    consumer.handler(record -> { });
                    heartbeatTimer = vertx.setPeriodic(HEARTBEAT_MILLIS, t -> heartbeat());
                })
                .onFailure(this::fail);
        return Future.succeededFuture(); // loading is told by loaded(): a deployment must not wait on Kafka
    }

    @Override
    public Future<?> stop() {
        return stopFollowing();
    }

    /** The partitions of {@code topic}; a topic created a moment ago may not be in the metadata yet: asks again. */
    private Future<List<TopicPartition>> partitionsOf(String topic) {
        return consumer.partitionsFor(topic).compose(infos -> {
            if (!infos.isEmpty()) {
                return Future.succeededFuture(infos.stream().map(p -> new TopicPartition(p.getTopic(), p.getPartition()))
                        .toList());
            }
            if (System.nanoTime() - deadline > 0) {
                return Future.failedFuture(new RegistryException("registry topic '" + topic + "' does not exist"));
            }
            Promise<Void> later = Promise.promise();
            vertx.setTimer(TOPIC_RETRY_MILLIS, t -> later.complete());
            return later.future().compose(v -> partitionsOf(topic));
        });
    }

    private void apply(KafkaConsumerRecords<String, byte[]> records) {
        for (int i = 0; i < records.size() && !stopped; i++) {
            ConsumerRecord<String, byte[]> record = records.recordAt(i).record();
            try {
                state.apply(record, ready ? listener : QUIET);
            } catch (RuntimeException e) { // apply refuses bad records itself; this is the last guard
                LOG.warn("Skipping a registry record that could not be applied [topic: {}, offset: {}]",
                        record.topic(), record.offset(), e);
            } catch (Error e) {
                // The gateway must learn that nobody follows the registry any more (readiness turns false).
                fail(e);
                if (e instanceof VirtualMachineError fatal) {
                    throw fatal; // out of memory and the like: let Vert.x see it too
                }
                return;
            }
        }
    }

    private void heartbeat() {
        if (stopped || askingPositions) {
            return;
        }
        if (!ready && System.nanoTime() - deadline > 0) {
            fail(new RegistryException("the device registry did not load within " + timeout.toMillis() + " ms"));
            return;
        }
        askingPositions = true;
        List<TopicPartition> asked = new ArrayList<>(partitions);
        List<Future<Long>> positions = asked.stream().map(consumer::position).toList();
        Future.all(positions).onComplete(answer -> {
            askingPositions = false;
            if (stopped) {
                return;
            }
            if (answer.failed()) {
                fail(answer.cause());
                return;
            }
            lastPollNanos = System.nanoTime();
            if (!ready && caughtUp(asked, positions)) {
                ready = true;
                LOG.info("Device registry loaded [devices: {}, refused records: {}]", state.devices().size(),
                        state.refused().size());
                loaded.complete(null);
            }
        });
    }

    private boolean caughtUp(List<TopicPartition> asked, List<Future<Long>> positions) {
        return IntStream.range(0, asked.size())
                .allMatch(i -> positions.get(i).result() >= ends.getOrDefault(asked.get(i), 0L));
    }

    private void fail(Throwable e) {
        if (stopped) {
            return;
        }
        if (!loaded.isDone()) {
            loaded.completeExceptionally(e instanceof RegistryException ? e
                    : new RegistryException("could not read the device registry: " + e.getMessage(), e));
        } else {
            LOG.error("The device registry stopped following Kafka; device changes are no longer seen: not ready", e);
        }
        stoppedBecause = String.valueOf(e);
        stopFollowing().onFailure(c -> LOG.warn("The device registry consumer did not close cleanly", c));
    }

    private Future<Void> stopFollowing() {
        if (stopped) {
            return Future.succeededFuture();
        }
        stopped = true;
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
        }
        return consumer == null ? Future.succeededFuture() : consumer.close();
    }
}
