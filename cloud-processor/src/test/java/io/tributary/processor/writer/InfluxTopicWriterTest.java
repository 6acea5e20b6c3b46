package io.tributary.processor.writer;

import static io.tributary.processor.writer.ReadingPointMapperTest.reading;
import static io.tributary.processor.writer.ReadingPointMapperTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.influxdb.exceptions.InfluxException;

import io.tributary.processor.metrics.ProcessorMeters;
import io.tributary.processor.metrics.WriterMeters;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.testing.batch.TestBatches;

/**
 * The writer loop's delivery logic with Kafka's own {@link MockConsumer} and a scripted point writer; the same paths
 * run against the real broker and influxd in {@code ProcessorIT}.
 */
class InfluxTopicWriterTest {

    private static final String TOPIC = "t.telemetry";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final CommitRecordingConsumer consumer = new CommitRecordingConsumer();
    private final ScriptedPointWriter pointWriter = new ScriptedPointWriter();
    private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
    private final ProcessorMeters meters = new ProcessorMeters();
    private final WriterMeters metrics = meters.writer("readings");
    private InfluxTopicWriter writer;
    private Thread thread;

    @AfterEach
    void stop() throws InterruptedException {
        if (writer != null) {
            writer.shutdown();
            thread.join(5_000);
            assertThat(thread.isAlive()).isFalse();
        }
        meters.close();
    }

    @Test
    void shouldCommitOnlyAfterAllPointsWereWritten() {
        pointWriter.script = points -> {
            assertThat(consumer.commits).isEmpty(); // nothing committed before the write
            return null;
        };
        start(3, List.of(record(P0, 0, "d1", 2), record(P0, 1, "d1", 2), record(P1, 0, "d2", 3)));

        await().atMost(Duration.ofSeconds(5)).until(() -> meters.count("offset.commits") == 1);
        assertThat(committed()).isEqualTo(Map.of(P0, 2L, P1, 1L));
        assertThat(pointWriter.accepted()).hasSize(7);
        assertThat(pointWriter.requests.stream().mapToInt(List::size).max().orElseThrow()).isLessThanOrEqualTo(3);
        assertThat(meters.count("points.written")).isEqualTo(7);
        assertThat(meters.count("records.consumed")).isEqualTo(3);
        assertThat(deadLetters.sent).isEmpty();
    }

    @Test
    void shouldRetryTheSameDataWithoutCommittingUntilInfluxAcceptsIt() {
        AtomicInteger calls = new AtomicInteger();
        pointWriter.script = points -> calls.incrementAndGet() <= 4
                ? new InfluxException(new java.net.ConnectException("Connection refused")) : null;
        start(100, List.of(record(P0, 0, "d1", 5)));

        await().atMost(Duration.ofSeconds(5)).until(() -> meters.count("offset.commits") == 1);
        assertThat(meters.count("write.failures", "kind", "retryable")).isEqualTo(4);
        assertThat(pointWriter.requests).hasSize(5).allSatisfy(r -> assertThat(r).isEqualTo(pointWriter.requests.get(0)));
        assertThat(committed()).isEqualTo(Map.of(P0, 1L));
        assertThat(meters.count("points.written")).isEqualTo(5);
        assertThat(deadLetters.sent).isEmpty();
    }

    @Test
    void shouldDeadLetterOnlyTheRecordInfluxRejectsAndWriteTheOthers() {
        pointWriter.script = points -> points.stream().anyMatch(p -> "poison".equals(device(p)))
                ? influxError(400) : null;
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            records.add(record(P0, i, i == 5 ? "poison" : "d" + i, 2));
        }
        start(1_000, records);

        await().atMost(Duration.ofSeconds(5)).until(() -> meters.count("offset.commits") == 1);
        assertThat(deadLetters.sent).singleElement().satisfies(dl -> {
            assertThat(dl.record().offset()).isEqualTo(5);
            assertThat(dl.reason()).isEqualTo(DeadLetterReason.INFLUX_REJECTED);
            assertThat(dl.deviceId()).isEqualTo("poison");
            assertThat(dl.detail()).startsWith("HTTP 400");
        });
        assertThat(pointWriter.accepted()).extracting(InfluxTopicWriterTest::device).hasSize(14)
                .doesNotContain("poison");
        assertThat(committed()).isEqualTo(Map.of(P0, 8L));
        assertThat(meters.count("points.written")).isEqualTo(14);
        assertThat(meters.count("deadlettered")).isEqualTo(1);
        assertThat(meters.count("write.failures", "kind", "rejected")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldNeverDeadLetterBecauseOfAMissingBucket() {
        AtomicInteger calls = new AtomicInteger();
        pointWriter.script = points -> calls.incrementAndGet() <= 3 ? influxError(404) : null;
        start(1_000, List.of(record(P0, 0, "d1", 1), record(P0, 1, "d2", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> meters.count("offset.commits") == 1);
        assertThat(deadLetters.sent).isEmpty();
        assertThat(meters.count("write.failures", "kind", "retryable")).isEqualTo(3);
        assertThat(committed()).isEqualTo(Map.of(P0, 2L));
    }

    @Test
    void shouldDeadLetterMalformedRecordsInOrderAndStoreTheRest() {
        ConsumerRecord<byte[], byte[]> garbage = new ConsumerRecord<>(TOPIC, 0, 1, utf8("d9"), utf8("garbage!"));
        start(1_000, List.of(record(P0, 0, "d1", 2), garbage, record(P0, 2, "d3", 2)));

        await().atMost(Duration.ofSeconds(5)).until(() -> meters.count("offset.commits") == 1);
        assertThat(deadLetters.sent).singleElement().satisfies(dl -> {
            assertThat(dl.reason()).isEqualTo(DeadLetterReason.PAYLOAD_FORMAT_INVALID);
            assertThat(dl.deviceId()).isEqualTo("d9");
        });
        assertThat(pointWriter.accepted()).hasSize(4);
        assertThat(committed()).isEqualTo(Map.of(P0, 3L));
    }

    @Test
    void shouldRetryTheDeadLetterSendAndNotCommitBeforeItSucceeds() {
        deadLetters.failures.set(3);
        ConsumerRecord<byte[], byte[]> garbage = new ConsumerRecord<>(TOPIC, 0, 0, utf8("d9"), utf8("garbage!"));
        start(1_000, List.of(garbage));

        await().atMost(Duration.ofSeconds(5)).until(() -> meters.count("offset.commits") == 1);
        assertThat(deadLetters.attempts.get()).isEqualTo(4);
        assertThat(deadLetters.sent).hasSize(1);
        assertThat(committed()).isEqualTo(Map.of(P0, 1L));
    }

    @Test
    void shouldCommitNothingWhenShutDownWhileInfluxIsDown() throws InterruptedException {
        pointWriter.script = points -> new InfluxException(new java.net.ConnectException("Connection refused"));
        start(1_000, List.of(record(P0, 0, "d1", 1), record(P0, 1, "d1", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> meters.count("write.failures", "kind", "retryable") >= 3);
        writer.shutdown();
        thread.join(5_000);

        assertThat(thread.isAlive()).isFalse();
        assertThat(consumer.closed()).isTrue();
        assertThat(pointWriter.closed).isTrue();
        assertThat(deadLetters.closed).isTrue();
        assertThat(meters.count("offset.commits")).isZero();
        assertThat(committed()).isEmpty();
    }

    @Test
    void shouldCommitTheWrittenPrefixWhenShutDownMidPoll() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        pointWriter.script = points -> calls.incrementAndGet() == 1 ? null
                : new InfluxException(new java.net.ConnectException("Connection refused"));
        // One point per chunk: the first record is written, the second keeps failing.
        start(1, List.of(record(P0, 0, "d1", 1), record(P0, 1, "d1", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> meters.count("write.failures", "kind", "retryable") >= 2);
        writer.shutdown();
        thread.join(5_000);

        assertThat(committed()).isEqualTo(Map.of(P0, 1L));
        assertThat(meters.count("points.written")).isEqualTo(1);
    }

    @Test
    void shouldKeepPollingPausedWhileRetrying() {
        AtomicInteger calls = new AtomicInteger();
        pointWriter.script = points -> calls.incrementAndGet() <= 5
                ? new InfluxException(new java.net.ConnectException("Connection refused")) : null;
        List<ConsumerRecord<byte[], byte[]>> first = List.of(record(P0, 0, "d1", 1));
        start(1_000, first);
        // A record arriving while the first poll is being retried must wait for the next poll, not be skipped.
        consumer.schedulePollTask(() -> consumer.addRecord(record(P0, 1, "d2", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> committed().equals(Map.of(P0, 2L)));
        assertThat(pointWriter.accepted()).extracting(InfluxTopicWriterTest::device).containsExactly("d1", "d2");
    }

    @Test
    void shouldCommitTheFinishedPartAndDropTheRestOfAPartitionRevokedWhileRetrying() {
        AtomicInteger calls = new AtomicInteger();
        pointWriter.script = points -> calls.incrementAndGet() == 1 ? null
                : new InfluxException(new java.net.ConnectException("Connection refused"));
        // One point per chunk: offset 0 is written, offset 1 keeps failing until P1 moves to another writer.
        start(1, List.of(record(P1, 0, "d1", 1), record(P1, 1, "d1", 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.count("write.failures", "kind", "retryable") >= 2);

        consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
        await().atMost(Duration.ofSeconds(5)).until(() -> committed().equals(Map.of(P1, 1L)));
        pointWriter.script = points -> null; // InfluxDB is back: the writer goes on with what it owns now
        consumer.schedulePollTask(() -> consumer.addRecord(record(P0, 0, "d2", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> committed().equals(Map.of(P1, 1L, P0, 1L)));
        assertThat(pointWriter.accepted()).extracting(InfluxTopicWriterTest::device).containsExactly("d1", "d2");
        assertThat(meters.count("points.written")).isEqualTo(2); // P1 offset 1 is the new owner's to write
    }

    // ---------------------------------------------------------------- issue 17: no record can stop the writer

    @Test
    void shouldTreatARejectionOfEveryWriteAsAnOutageAndDeadLetterNothing() {
        // A front of InfluxDB that mangles bodies: every request, probes included, gets "400: EOF".
        AtomicInteger calls = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean frontBroken = new java.util.concurrent.atomic.AtomicBoolean(true);
        pointWriter.script = points -> {
            calls.incrementAndGet();
            return frontBroken.get() ? influxError(400) : null;
        };
        start(1_000, List.of(record(P0, 0, "d1", 2), record(P0, 1, "d2", 2), record(P0, 2, "d3", 2)));

        await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() >= 10);
        assertThat(metrics.outage()).hasValueSatisfying(why -> assertThat(why).contains("probe").contains("400"));
        assertThat(deadLetters.sent).isEmpty();
        assertThat(committed()).isEmpty();
        assertThat(meters.count("write.outage.retries", "kind", "rejected_wholesale")).isPositive();
        // Never split to single records: the whole chunk is retried as it is.
        assertThat(pointWriter.requests).allSatisfy(r -> assertThat(r).hasSize(6));

        frontBroken.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> committed().equals(Map.of(P0, 3L)));
        assertThat(metrics.outage()).isEmpty();
        assertThat(pointWriter.accepted()).hasSize(6);
        assertThat(deadLetters.sent).isEmpty();
    }

    @Test
    void shouldDeadLetterAPoisonedRecordAloneWhenTheProbeProvesThePathWorks() {
        pointWriter.script = points -> points.stream().anyMatch(p -> "poison".equals(device(p)))
                ? influxError(400) : null;
        start(1_000, List.of(record(P0, 0, "poison", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> meters.count("offset.commits") == 1);
        assertThat(deadLetters.sent).singleElement().satisfies(dl ->
                assertThat(dl.reason()).isEqualTo(DeadLetterReason.INFLUX_REJECTED));
        assertThat(meters.count("write.probes")).isGreaterThanOrEqualTo(1);
        assertThat(meters.count("deadlettered", "reason", DeadLetterReason.INFLUX_REJECTED)).isEqualTo(1L);
        assertThat(metrics.outage()).isEmpty();
    }

    @Test
    void shouldReportNotReadyWhileInfluxIsUnreachable() {
        pointWriter.script = points -> new InfluxException(new java.net.ConnectException("Connection refused"));
        start(1_000, List.of(record(P0, 0, "d1", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.outage().isPresent());
        assertThat(metrics.outage().orElseThrow()).contains("Connection refused");
        pointWriter.script = points -> null;
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.count("offset.commits") == 1);
        assertThat(metrics.outage()).isEmpty();
    }

    @Test
    void shouldDeadLetterARecordWhoseMapperThrowsAndGoOn() {
        ReadingPointMapper readings = new ReadingPointMapper();
        RecordMapper throwing = (key, value) -> "bomb".equals(new String(key, java.nio.charset.StandardCharsets.UTF_8))
                ? fail("field mean is Infinity: line protocol has only finite floats") : readings.map(key, value);
        startWith(throwing, List.of(record(P0, 0, "d1", 1), record(P0, 1, "bomb", 1), record(P0, 2, "d2", 1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> committed().equals(Map.of(P0, 3L)));
        assertThat(thread.isAlive()).isTrue();
        assertThat(deadLetters.sent).singleElement().satisfies(dl -> {
            assertThat(dl.reason()).isEqualTo(DeadLetterReason.MAPPING_FAILED);
            assertThat(dl.detail()).contains("Infinity");
        });
        assertThat(pointWriter.accepted()).extracting(InfluxTopicWriterTest::device).containsExactly("d1", "d2");
    }

    @Test
    void shouldDeadLetterABatchThatBreaksTheContractWithTheRuleAsReason() {
        ReadingPointMapper readings = new ReadingPointMapper(new io.tributary.processor.contract.ContractCheck(
                io.tributary.contract.InputContract.DEFAULTS), Clock.systemUTC());
        long now = System.currentTimeMillis() * 1_000_000L;
        ReadingBatch future = ReadingBatch.newBuilder().setDeviceId("d2").setBatchSeq(1)
                .addReadings(reading("temp", 20, now)).addReadings(reading("temp", 21, 7_258_118_400_000_000_000L))
                .build();
        ReadingBatch nan = ReadingBatch.newBuilder().setDeviceId("d3").setBatchSeq(1)
                .addReadings(reading("temp", Double.NaN, now)).build();
        ReadingBatch good = ReadingBatch.newBuilder().setDeviceId("d1").setBatchSeq(1)
                .addReadings(reading("temp", 20, now)).build();
        startWith(readings::map, List.of(
                new ConsumerRecord<>(TOPIC, 0, 0, utf8("d1"), good.toByteArray()),
                new ConsumerRecord<>(TOPIC, 0, 1, utf8("d2"), future.toByteArray()),
                new ConsumerRecord<>(TOPIC, 0, 2, utf8("d3"), nan.toByteArray())));

        await().atMost(Duration.ofSeconds(5)).until(() -> committed().equals(Map.of(P0, 3L)));
        assertThat(deadLetters.sent).extracting(DeadLetter::reason).containsOnly(DeadLetterReason.CONTRACT_VIOLATION);
        assertThat(deadLetters.rules).containsExactly("event_time_in_future", "value_not_finite");
        assertThat(meters.count("deadlettered", "reason", DeadLetterReason.CONTRACT_VIOLATION)).isEqualTo(2L);
        assertThat(meters.count("deadlettered")).isEqualTo(2L);
        assertThat(meters.count("contract.violations", "rule", "event_time_in_future")).isEqualTo(1L);
        assertThat(meters.count("contract.violations", "rule", "value_not_finite")).isEqualTo(1L);
        assertThat(pointWriter.accepted()).extracting(InfluxTopicWriterTest::device).containsExactly("d1");
    }

    private static MappedRecord fail(String message) {
        throw new IllegalArgumentException(message);
    }

    private void startWith(RecordMapper mapper, List<ConsumerRecord<byte[], byte[]>> records) {
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0, P1));
            consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
            consumer.seek(P0, 0);
            consumer.seek(P1, 0);
            records.forEach(consumer::addRecord);
        });
        writer = new InfluxTopicWriter("Readings writer", mapper, consumer, TOPIC, pointWriter, deadLetters,
                new InfluxTopicWriter.Settings(1_000, Duration.ofMillis(20), Duration.ofMillis(5),
                        Duration.ofMillis(20), Duration.ofSeconds(1)),
                metrics, Clock.systemUTC());
        thread = new Thread(writer, "writer-under-test");
        thread.start();
    }

    private void start(int maxPointsPerWrite, List<ConsumerRecord<byte[], byte[]>> records) {
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0, P1));
            consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
            consumer.seek(P0, 0);
            consumer.seek(P1, 0);
            records.forEach(consumer::addRecord);
        });
        writer = new InfluxTopicWriter("Readings writer", new ReadingPointMapper()::map, consumer, TOPIC, pointWriter,
                deadLetters,
                new InfluxTopicWriter.Settings(maxPointsPerWrite, Duration.ofMillis(20), Duration.ofMillis(5),
                        Duration.ofMillis(20), Duration.ofSeconds(1)),
                metrics, Clock.systemUTC());
        thread = new Thread(writer, "writer-under-test");
        thread.start();
    }

    /** Every offset committed so far (also readable after the consumer was closed). */
    private Map<TopicPartition, Long> committed() {
        return Map.copyOf(consumer.commits);
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, String device, int readings) {
        byte[] batch = TestBatches.batch(device).seq(offset + 1)
                .add(readings, i -> reading("s" + i, i, 1_000_000_000L * (offset + 1) + i).toBuilder()).toByteArray();
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, utf8(device), batch);
    }

    /** The device tag, read back from the line protocol the client would send. */
    private static String device(LinePoint point) {
        String line = point.toLineProtocol();
        int start = line.indexOf(",device=") + ",device=".length();
        return line.substring(start, line.indexOf(',', start));
    }

    private static InfluxException influxError(int status) {
        okhttp3.ResponseBody body = okhttp3.ResponseBody.create("{\"error\":\"status " + status + "\"}",
                okhttp3.MediaType.get("application/json"));
        return new InfluxException(retrofit2.Response.error(status, body));
    }

    /** Kafka's MockConsumer, remembering commits beyond close(). */
    private static final class CommitRecordingConsumer extends MockConsumer<byte[], byte[]> {
        final Map<TopicPartition, Long> commits = new java.util.concurrent.ConcurrentHashMap<>();

        CommitRecordingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            super.commitSync(offsets);
            offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            super.commitSync(offsets, timeout);
            offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
        }
    }

    /** Accepts or fails each request as the script says (null = accept). */
    private static final class ScriptedPointWriter implements PointWriter {
        final List<List<LinePoint>> requests = new CopyOnWriteArrayList<>();
        final List<List<LinePoint>> acceptedRequests = new CopyOnWriteArrayList<>();
        volatile Function<List<LinePoint>, RuntimeException> script = points -> null;
        volatile boolean closed;

        @Override
        public void write(List<LinePoint> points) {
            List<LinePoint> copy = List.copyOf(points);
            if (!copy.get(0).measurement().equals(InfluxTopicWriter.PROBE_MEASUREMENT)) {
                requests.add(copy);
            }
            RuntimeException failure = script.apply(copy);
            if (failure != null) {
                throw failure;
            }
            acceptedRequests.add(copy);
        }

        /** The data points accepted (not the writer's probe points). */
        List<LinePoint> accepted() {
            return acceptedRequests.stream().flatMap(List::stream)
                    .filter(p -> !p.measurement().equals(InfluxTopicWriter.PROBE_MEASUREMENT)).toList();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private record DeadLetter(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason, String detail) {
    }

    private static final class RecordingDeadLetters implements DeadLetterPublisher {
        final List<DeadLetter> sent = new CopyOnWriteArrayList<>();
        final List<String> rules = new CopyOnWriteArrayList<>();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger attempts = new AtomicInteger();
        volatile boolean closed;

        @Override
        public void publish(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason, String detail) {
            attempts.incrementAndGet();
            if (failures.getAndDecrement() > 0) {
                throw new org.apache.kafka.common.errors.TimeoutException("broker unavailable");
            }
            sent.add(new DeadLetter(record, deviceId, reason, detail));
        }

        @Override
        public void publish(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason, String detail,
                String contractRule) {
            publish(record, deviceId, reason, detail);
            if (contractRule != null) {
                rules.add(contractRule);
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
