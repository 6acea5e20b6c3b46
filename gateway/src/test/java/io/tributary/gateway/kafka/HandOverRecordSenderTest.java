package io.tributary.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.gateway.metrics.MicrometerGatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandOverRecordSenderTest {

    private final Vertx vertx = Vertx.vertx();
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    private final MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics();

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void completesOnTheSendingContextAfterKafkaAcknowledged() throws Exception {
        HandOverRecordSender sender = handOver(producer, new InFlightLimits(1_000_000, 1_000_000));
        Context context = vertx.getOrCreateContext();
        CompletableFuture<Boolean> completedOnContext = new CompletableFuture<>();

        context.runOnContext(v -> sender.send(record(10)).onComplete(result ->
                completedOnContext.complete(result.succeeded() && Vertx.currentContext() == context)));
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
        assertThat(sender.inFlightRecords()).isEqualTo(1);
        assertThat(completedOnContext).isNotDone();
        producer.completeNext(); // runs the callback on this (non-Vert.x) thread, like Kafka's I/O thread

        assertThat(completedOnContext.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(sender.inFlightRecords()).isZero();
        assertThat(metrics.snapshot().kafkaInFlight()).isZero();
    }

    @Test
    void handsOverOneTurnsRecordsInOrderAndFinishesOutcomesThatArriveTogetherOnTheSendingContext() throws Exception {
        HandOverRecordSender sender = handOver(producer, new InFlightLimits(1_000_000, 1_000_000));
        Context context = vertx.getOrCreateContext();
        List<String> completions = new CopyOnWriteArrayList<>();

        context.runOnContext(v -> {
            for (int i = 0; i < 5; i++) {
                String key = "dev-" + i;
                sender.send(KafkaRecords.telemetry("t", key, new byte[10])).onComplete(result -> completions.add(
                        key + (result.succeeded() && Vertx.currentContext() == context ? "" : " off its context")));
            }
            // Handed over after this turn of the loop, so nothing can have reached the producer yet.
            completions.add(producer.history().isEmpty() ? "turn ended" : "handed over during the turn");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 5);
        assertThat(producer.history()).extracting(ProducerRecord::key)
                .containsExactly("dev-0", "dev-1", "dev-2", "dev-3", "dev-4");
        for (int i = 0; i < 5; i++) {
            producer.completeNext();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> completions.size() == 6);
        assertThat(completions).containsExactly("turn ended", "dev-0", "dev-1", "dev-2", "dev-3", "dev-4");
        assertThat(sender.inFlightRecords()).isZero();
    }

    @Test
    void failsRecordsOfATurnThatEndsAfterClose() throws Exception {
        HandOverRecordSender sender = handOver(producer, new InFlightLimits(1_000_000, 1_000_000));
        AtomicReference<Future<RecordMetadata>> sent = new AtomicReference<>();

        vertx.runOnContext(v -> {
            sent.set(sender.send(record(10)));
            sender.close(Duration.ofSeconds(1)); // before the turn's records are handed over
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.get() != null && sent.get().isComplete());
        assertThat(sent.get().cause()).isInstanceOf(IllegalStateException.class);
        assertThat(producer.history()).isEmpty();
        assertThat(sender.inFlightRecords()).isZero();
    }

    @Test
    void failsWithKafkasError() throws Exception {
        HandOverRecordSender sender = handOver(producer, new InFlightLimits(1_000_000, 1_000_000));
        AtomicReference<Future<RecordMetadata>> sent = new AtomicReference<>();
        vertx.runOnContext(v -> sent.set(sender.send(record(10))));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.get() != null);

        producer.errorNext(new TimeoutException("delivery timed out"));

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.get().isComplete());
        assertThat(sent.get().cause()).isInstanceOf(TimeoutException.class);
        assertThat(sender.inFlightRecords()).isZero();
    }

    @Test
    void refusesRecordsBeyondTheInFlightLimitUntilEarlierOnesFinish() throws Exception {
        HandOverRecordSender sender = handOver(producer, new InFlightLimits(1000, 1000));
        AtomicReference<Future<RecordMetadata>> first = new AtomicReference<>();
        AtomicReference<Future<RecordMetadata>> second = new AtomicReference<>();
        vertx.runOnContext(v -> {
            first.set(sender.send(record(600)));
            second.set(sender.send(record(600)));
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> second.get() != null);

        assertThat(second.get().failed()).isTrue();
        assertThat(second.get().cause()).isInstanceOf(GatewayOverloadedException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);

        producer.completeNext();
        await().atMost(Duration.ofSeconds(5)).until(() -> first.get().succeeded());
        AtomicReference<Future<RecordMetadata>> third = new AtomicReference<>();
        vertx.runOnContext(v -> third.set(sender.send(record(600))));
        await().atMost(Duration.ofSeconds(5)).until(() -> third.get() != null);
        assertThat(third.get().failed()).isFalse();
    }

    @Test
    void admitsASingleRecordLargerThanTheLimitSoNothingIsStuckForever() throws Exception {
        HandOverRecordSender sender = handOver(producer, new InFlightLimits(100, 100));
        AtomicReference<Future<RecordMetadata>> sent = new AtomicReference<>();
        vertx.runOnContext(v -> sent.set(sender.send(record(500))));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.get() != null);

        assertThat(sent.get().failed()).isFalse();
    }

    @Test
    void failsWhenTheProducerThrowsInsteadOfCallingBack() throws Exception {
        HandOverRecordSender sender = handOver(producer, new InFlightLimits(1_000_000, 1_000_000));
        producer.close();
        AtomicReference<Future<RecordMetadata>> sent = new AtomicReference<>();

        vertx.runOnContext(v -> sent.set(sender.send(record(10))));

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.get() != null && sent.get().isComplete());
        assertThat(sent.get().cause()).isInstanceOf(IllegalStateException.class);
        assertThat(sender.inFlightRecords()).isZero();
        assertThat(metrics.snapshot().kafkaInFlight()).isZero();
    }

    /**
     * {@code KafkaProducer.send()} blocks when it lost a topic's metadata (seen when Kafka goes down). The event loop
     * must not: records queue up, count as in flight, and the sender reports congestion at the pause mark.
     */
    @Test
    void neverBlocksTheEventLoopWhenTheProducerBlocksAndReportsCongestionInstead() throws Exception {
        CountDownLatch metadataBack = new CountDownLatch(1);
        MockProducer<String, byte[]> blocking = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<String, byte[]> r,
                    Callback callback) {
                try {
                    metadataBack.await(); // like waitOnMetadata
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.send(r, callback);
            }
        };
        HandOverRecordSender sender = handOver(blocking, new InFlightLimits(1_000_000, 2_000));
        List<Future<RecordMetadata>> sent = new CopyOnWriteArrayList<>();
        CompletableFuture<Long> loopMillis = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                sent.add(sender.send(record(500)));
            }
            loopMillis.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        });

        assertThat(loopMillis.get(5, TimeUnit.SECONDS)).isLessThan(500);
        assertThat(sender.congested()).isTrue();
        assertThat(sender.inFlightRecords()).isEqualTo(5);
        AtomicInteger resumed = new AtomicInteger();
        sender.whenDecongested(resumed::incrementAndGet);
        assertThat(resumed).hasValue(0);

        metadataBack.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.stream().allMatch(Future::succeeded));
        assertThat(sender.congested()).isFalse();
        assertThat(resumed).hasValue(1);
        assertThat(blocking.history()).hasSize(5);
        sender.close(Duration.ofSeconds(1));
    }

    @Test
    void failsRecordsSentAfterClose() throws Exception {
        HandOverRecordSender sender = handOver(producer, new InFlightLimits(1_000_000, 1_000_000));
        sender.close(Duration.ofSeconds(1));
        AtomicReference<Future<RecordMetadata>> sent = new AtomicReference<>();

        vertx.runOnContext(v -> sent.set(sender.send(record(10))));

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.get() != null && sent.get().isComplete());
        assertThat(sent.get().cause()).isInstanceOf(IllegalStateException.class);
        assertThat(sender.inFlightRecords()).isZero();
    }

    /** Vert.x runs handlers on duplicated contexts of an event loop (per request in its servers): one lane each loop. */
    @Test
    void finishesRecordsOfDuplicatedContextsOnTheirEventLoop() throws Exception {
        HandOverRecordSender sender = handOver(producer, new InFlightLimits(1_000_000, 1_000_000));
        Context root = vertx.getOrCreateContext();
        Context duplicate = ((io.vertx.core.internal.ContextInternal) root).duplicate();
        CompletableFuture<Thread> loop = new CompletableFuture<>();
        List<Thread> completedOn = new CopyOnWriteArrayList<>();

        root.runOnContext(v -> {
            loop.complete(Thread.currentThread());
            sender.send(record(10)).onComplete(result -> completedOn.add(Thread.currentThread()));
        });
        duplicate.runOnContext(v -> sender.send(record(10)).onComplete(result ->
                completedOn.add(Thread.currentThread())));
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
        producer.completeNext();
        producer.completeNext();

        await().atMost(Duration.ofSeconds(5)).until(() -> completedOn.size() == 2);
        assertThat(completedOn).containsOnly(loop.get(5, TimeUnit.SECONDS));
        assertThat(sender.inFlightRecords()).isZero();
    }

    private static ProducerRecord<String, byte[]> record(int size) {
        return KafkaRecords.telemetry("t", "dev-1", new byte[size]);
    }

    private HandOverRecordSender handOver(Producer<String, byte[]> producer, InFlightLimits limits) {
        return new HandOverRecordSender(producer, new InFlightAccounting(limits, metrics), Duration.ofSeconds(30));
    }
}
