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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VertxKafkaRecordSenderTest {

    private final Vertx vertx = Vertx.vertx();
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    private final MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics();

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private VertxKafkaRecordSender sender(long maxInFlightBytes, InFlightAccounting[] accounting) {
        return sender(maxInFlightBytes, maxInFlightBytes, accounting);
    }

    private VertxKafkaRecordSender sender(long maxInFlightBytes, long pauseAt, InFlightAccounting[] accounting) {
        accounting[0] = new InFlightAccounting(new InFlightLimits(maxInFlightBytes, pauseAt), metrics);
        return new VertxKafkaRecordSender(vertx, producer, accounting[0]);
    }

    @Test
    void completesOnTheSendingContextOnlyAfterKafkaAcknowledged() throws Exception {
        InFlightAccounting[] accounting = new InFlightAccounting[1];
        VertxKafkaRecordSender sender = sender(1_000_000, accounting);
        Context context = vertx.getOrCreateContext();
        CompletableFuture<Boolean> completedOnContext = new CompletableFuture<>();

        context.runOnContext(v -> sender.send(record("dev-1", 10)).onComplete(result ->
                completedOnContext.complete(result.succeeded() && Vertx.currentContext() == context)));
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
        assertThat(accounting[0].inFlightRecords()).isEqualTo(1);
        assertThat(metrics.snapshot().kafkaInFlight()).isEqualTo(1);
        assertThat(completedOnContext).isNotDone();
        producer.completeNext(); // on this thread, like Kafka's I/O thread

        assertThat(completedOnContext.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(accounting[0].inFlightRecords()).isZero();
        assertThat(metrics.snapshot().kafkaInFlight()).isZero();
    }

    @Test
    void handsRecordsToTheProducerInTheOrderTheyWereSent() throws Exception {
        VertxKafkaRecordSender sender = sender(1_000_000, new InFlightAccounting[1]);
        List<String> completions = new CopyOnWriteArrayList<>();

        vertx.runOnContext(v -> {
            for (int i = 0; i < 5; i++) {
                String key = "dev-" + i;
                sender.send(record(key, 10)).onSuccess(m -> completions.add(key));
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 5);
        assertThat(producer.history()).extracting(ProducerRecord::key)
                .containsExactly("dev-0", "dev-1", "dev-2", "dev-3", "dev-4");
        for (int i = 0; i < 5; i++) {
            producer.completeNext();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> completions.size() == 5);
        assertThat(completions).containsExactly("dev-0", "dev-1", "dev-2", "dev-3", "dev-4");
    }

    @Test
    void failsWithKafkasErrorAndFreesItsBytes() throws Exception {
        InFlightAccounting[] accounting = new InFlightAccounting[1];
        VertxKafkaRecordSender sender = sender(1_000_000, accounting);
        AtomicReference<Future<RecordMetadata>> sent = new AtomicReference<>();
        vertx.runOnContext(v -> sent.set(sender.send(record("dev-1", 10))));
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);

        producer.errorNext(new TimeoutException("delivery timed out"));

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.get().isComplete());
        assertThat(sent.get().cause()).isInstanceOf(TimeoutException.class);
        assertThat(accounting[0].inFlightRecords()).isZero();
        assertThat(metrics.snapshot().kafkaInFlight()).isZero();
    }

    @Test
    void refusesRecordsBeyondTheHardLimitAndReportsCongestion() throws Exception {
        VertxKafkaRecordSender sender = sender(1000, 500, new InFlightAccounting[1]);
        AtomicReference<Future<RecordMetadata>> first = new AtomicReference<>();
        AtomicReference<Future<RecordMetadata>> second = new AtomicReference<>();
        vertx.runOnContext(v -> {
            first.set(sender.send(record("dev-1", 600)));
            second.set(sender.send(record("dev-1", 600)));
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> second.get() != null);

        assertThat(second.get().cause()).isInstanceOf(GatewayOverloadedException.class);
        assertThat(sender.congested()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
        producer.completeNext();
        await().atMost(Duration.ofSeconds(5)).until(() -> first.get().succeeded());
        assertThat(sender.congested()).isFalse();
    }

    private static ProducerRecord<String, byte[]> record(String key, int size) {
        return KafkaRecords.telemetry("t", key, new byte[size]);
    }
}
