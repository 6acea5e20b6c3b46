package io.tributary.simulator.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.proto.v1.ReadingBatch;
import io.tributary.simulator.ledger.DeviceLedger;
import io.tributary.simulator.ledger.LossLedger;
import io.tributary.simulator.report.LatencyHistogram;
import io.tributary.simulator.scenario.Anomaly;
import io.tributary.simulator.transport.DeviceLink;
import io.tributary.mqtt.PubAck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatedDeviceTest {

    private static final long SECOND = 1_000_000_000L;

    private final FakeConnection connection = new FakeConnection();
    private final LossLedger ledger = new LossLedger();
    private ScheduledExecutorService scheduler;
    private SimulatedDevice device;

    @BeforeEach
    void setUp() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        device = new SimulatedDevice("dev-1", BatchFactoryTest.factory(2, 5, java.util.List.of()), connection,
                ledger.device("dev-1"), scheduler, 2, 60 * SECOND, new LatencyHistogram());
        device.start();
        connection.connects.get(0).complete(null);
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    @Test
    void shouldCountReadingsOnlyOnceTheGatewayAcknowledged() {
        device.tick(10 * SECOND, SECOND);

        assertThat(ledger("dev-1").generatedReadings()).isEqualTo(10);
        assertThat(ledger("dev-1").publishedReadings()).isZero();

        connection.publishes.get(0).complete(PubAck.SUCCESS);

        assertThat(ledger("dev-1").publishedReadings()).isEqualTo(10);
        assertThat(ledger("dev-1").highestAckedSeq()).isEqualTo(1);
        assertThat(device.unsettledBatches()).isZero();
    }

    @Test
    void shouldPublishTheSameBatchAgainOnlyAfterABackoffWhenRefusedForNow() throws Exception {
        device.tick(10 * SECOND, SECOND);
        long refusedAt = System.nanoTime();
        connection.publishes.get(0).complete(new PubAck(0x97, "quota exceeded"));

        device.tick(11 * SECOND, SECOND);
        assertThat(connection.payloadCount()).as("paused: neither the refused nor the new batch goes out at once")
                .isEqualTo(1);

        awaitPayloads(3);
        assertThat((System.nanoTime() - refusedAt) / 1_000_000).as("backoff of 100 ms with jitter: >= 50 ms")
                .isGreaterThanOrEqualTo(50);
        assertThat(seq(connection.payload(1))).as("the refused batch first, same number").isEqualTo(1);
        assertThat(seq(connection.payload(2))).isEqualTo(2);
        DeviceLedger.Snapshot snapshot = ledger("dev-1");
        assertThat(snapshot.publishedReadings()).as("quota-refused is not stored").isZero();
        assertThat(snapshot.rejectedReadings()).as("quota-refused is not rejected").isZero();
        assertThat(snapshot.retries()).isEqualTo(1);
        assertThat(device.refusedForNow()).isEqualTo(1);

        // 0x80 (Kafka did not take it) is transient too; once accepted the ledger settles exactly
        connection.publishes.get(1).complete(new PubAck(0x80, "not stored, retry later"));
        connection.publishes.get(2).complete(PubAck.SUCCESS);
        awaitPayloads(4);
        connection.publishes.get(3).complete(PubAck.SUCCESS);
        snapshot = ledger("dev-1");
        assertThat(snapshot.ackedRanges()).isEqualTo("1-2");
        assertThat(snapshot.publishedReadings()).isEqualTo(20);
        assertThat(snapshot.rejectedReadings()).isZero();
        assertThat(snapshot.unsettled().isEmpty()).isTrue();
    }

    @Test
    void shouldGrowThePauseWithEveryRefusalInARow() throws Exception {
        device.tick(10 * SECOND, SECOND);
        long[] waited = new long[4];
        for (int i = 0; i < waited.length; i++) {
            long refusedAt = System.nanoTime();
            connection.publishes.get(i).complete(PubAck.of(0x97));
            awaitPayloads(i + 2);
            waited[i] = (System.nanoTime() - refusedAt) / 1_000_000;
        }
        // 100, 200, 400, 800 ms ceilings with jitter in the upper half: 50.., 100.., 200.., 400..
        assertThat(waited[3]).as("pauses: %s", java.util.Arrays.toString(waited)).isGreaterThanOrEqualTo(400);
        assertThat(ledger("dev-1").retries()).isEqualTo(4);
    }

    @Test
    void shouldNotRetryABatchRefusedForItsContent() {
        device.tick(10 * SECOND, SECOND);
        connection.publishes.get(0).complete(PubAck.of(0x99));

        device.tick(11 * SECOND, SECOND);

        assertThat(connection.payloads).hasSize(2);
        assertThat(seq(connection.payloads.get(1))).isEqualTo(2);
        assertThat(ledger("dev-1").rejectedReadings()).isEqualTo(10);
    }

    @Test
    void shouldKeepAtMostMaxInflightBatchesOutstanding() {
        device.tick(10 * SECOND, SECOND);
        device.tick(11 * SECOND, SECOND);
        device.tick(12 * SECOND, SECOND);

        assertThat(connection.payloads).hasSize(2);

        connection.publishes.get(0).complete(PubAck.SUCCESS);

        assertThat(connection.payloads).hasSize(3);
        assertThat(seq(connection.payloads.get(2))).isEqualTo(3);
    }

    @Test
    void shouldRepublishInFlightBatchesAfterTheConnectionIsBackAndIgnoreLateAnswers() throws Exception {
        device.tick(10 * SECOND, SECOND);
        connection.lost();
        // A late PUBACK from the dead connection must not count: the batch is queued again
        connection.publishes.get(0).complete(PubAck.SUCCESS);
        assertThat(ledger("dev-1").publishedReadings()).isZero();
        assertThat(device.isConnected()).isFalse();

        // When the device reconnects (the backoff runs on the scheduler)
        long deadline = System.nanoTime() + 5 * SECOND;
        while (connection.connects.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        connection.connects.get(1).complete(null);

        // Then the batch goes out again, under the same sequence number
        assertThat(connection.payloads).hasSize(2);
        assertThat(seq(connection.payloads.get(1))).isEqualTo(1);
    }

    @Test
    void shouldBackOffMoreWhenTheGatewayClosesEveryConnectionBeforeAnyBatchWasAccepted() throws Exception {
        // MQTT 3.1.1-style (or a session takeover): CONNACK accepted, then the connection is closed at once
        long lastGapMs = 0;
        for (int attempt = 1; attempt <= 4; attempt++) {
            connection.lost();
            long lostAt = System.nanoTime();
            long deadline = lostAt + 5 * SECOND;
            while (connection.connectCount() < attempt + 1 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            lastGapMs = (System.nanoTime() - lostAt) / 1_000_000;
            connection.connect(attempt).complete(null);
        }
        // 100, 200, 400, 800 ms ceilings with jitter in the upper half: the fourth waits at least 400 ms
        assertThat(lastGapMs).as("the reconnect backoff is not reset by a CONNACK alone").isGreaterThanOrEqualTo(400);
    }

    @Test
    void shouldPublishADuplicatedBatchTwiceButCountItsReadingsOnce() {
        FakeConnection other = new FakeConnection();
        SimulatedDevice duplicating = new SimulatedDevice("dev-1", BatchFactoryTest.factory(2, 5, java.util.List.of(
                BatchFactoryTest.anomaly(io.tributary.simulator.scenario.Anomaly.Type.DUPLICATE, null, 0, 1, 0, null))),
                other, ledger.device("dup"), scheduler, 4, 60 * SECOND, new LatencyHistogram());
        duplicating.start();
        other.connects.get(0).complete(null);

        duplicating.tick(10 * SECOND, SECOND);

        assertThat(other.payloads).hasSize(2);
        assertThat(other.payloads.get(1)).isEqualTo(other.payloads.get(0));
        other.publishes.get(0).complete(PubAck.SUCCESS);
        other.publishes.get(1).complete(PubAck.SUCCESS);
        assertThat(ledger("dup").publishedReadings()).isEqualTo(10);
        assertThat(ledger("dup").publishedBatches()).isEqualTo(1);
        assertThat(ledger("dup").duplicateAcks()).isEqualTo(1);
        assertThat(ledger("dup").ackedRanges()).isEqualTo("1");
    }

    @Test
    void shouldRecordAMalformedBatchRefusedWith0x99AsRejected() {
        FakeConnection other = new FakeConnection();
        SimulatedDevice malformed = new SimulatedDevice("dev-1", BatchFactoryTest.factory(2, 5, java.util.List.of(
                BatchFactoryTest.anomaly(io.tributary.simulator.scenario.Anomaly.Type.MALFORMED, null, 0, 1, 0, null))),
                other, ledger.device("bad"), scheduler, 4, 60 * SECOND, new LatencyHistogram());
        malformed.start();
        other.connects.get(0).complete(null);

        malformed.tick(10 * SECOND, SECOND);
        other.publishes.get(0).complete(PubAck.of(0x99));
        malformed.tick(11 * SECOND, SECOND);
        other.publishes.get(1).complete(PubAck.SUCCESS);

        assertThat(ledger("bad").rejectedRanges()).isEqualTo("1");
        assertThat(ledger("bad").rejectedReadings()).isEqualTo(10);
        assertThat(ledger("bad").ackedRanges()).isEqualTo("2");
        assertThat(ledger("bad").unsettled().isEmpty()).isTrue();
    }

    @Test
    void shouldSkipSequenceNumbersAndRecordThemAsNeverSent() {
        FakeConnection other = new FakeConnection();
        // 3 numbers skipped every 2 batches from 1 s to 5 s: before the window's first and third batch (one a second)
        SimulatedDevice skipping = new SimulatedDevice("dev-1", BatchFactoryTest.factory(2, 5, List.of(
                counted(Anomaly.Type.SEQ_GAP, 1, 4, 3, 2))),
                other, ledger.device("gap"), scheduler, 8, 60 * SECOND, new LatencyHistogram());
        skipping.start();
        other.connects.get(0).complete(null);

        for (int i = 0; i < 6; i++) {
            skipping.tick((10 + i) * SECOND, SECOND);
        }
        List.copyOf(other.publishes).forEach(publish -> publish.complete(PubAck.SUCCESS));

        assertThat(other.payloads.stream().map(SimulatedDeviceTest::seq).toList())
                .containsExactly(1L, 5L, 6L, 10L, 11L, 12L);
        DeviceLedger.Snapshot snapshot = ledger("gap");
        assertThat(snapshot.skippedRanges()).isEqualTo("2-4,7-9");
        assertThat(snapshot.skippedSeqs()).isEqualTo(6);
        assertThat(snapshot.ackedRanges()).isEqualTo("1,5-6,10-12");
        assertThat(snapshot.unsettled().isEmpty()).as("skipped numbers are not unsettled").isTrue();
    }

    @Test
    void shouldReplayTheLatestAcknowledgedBatchesOnce() {
        FakeConnection other = new FakeConnection();
        SimulatedDevice replaying = new SimulatedDevice("dev-1", BatchFactoryTest.factory(2, 5, List.of(
                counted(Anomaly.Type.REPLAY, 3, 10, 2, 0))),
                other, ledger.device("replay"), scheduler, 8, 60 * SECOND, new LatencyHistogram());
        replaying.start();
        other.connects.get(0).complete(null);

        for (int i = 0; i < 5; i++) {
            replaying.tick((10 + i) * SECOND, SECOND);
            List.copyOf(other.publishes).forEach(publish -> publish.complete(PubAck.SUCCESS));
        }

        // batch 4 is the window's first: after it, the latest two acknowledged (2 and 3) go out again
        assertThat(other.payloads.stream().map(SimulatedDeviceTest::seq).toList())
                .containsExactly(1L, 2L, 3L, 4L, 2L, 3L, 5L);
        DeviceLedger.Snapshot snapshot = ledger("replay");
        assertThat(snapshot.replayedBatches()).isEqualTo(2);
        assertThat(snapshot.duplicateAcks()).isEqualTo(2);
        assertThat(snapshot.ackedRanges()).isEqualTo("1-5");
        assertThat(snapshot.publishedReadings()).as("replayed readings are counted once").isEqualTo(50);
    }

    private static Anomaly counted(Anomaly.Type type, int atSeconds, int seconds, int count, int everyBatches) {
        return new Anomaly(type, null, Anomaly.ALL, null, Duration.ofSeconds(atSeconds), Duration.ofSeconds(seconds), 0,
                null, null, count, everyBatches);
    }

    private void awaitPayloads(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 5 * SECOND;
        while (connection.payloadCount() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(connection.payloadCount()).isEqualTo(count);
    }

    private DeviceLedger.Snapshot ledger(String deviceId) {
        return ledger.snapshot().get(deviceId);
    }

    private static long seq(byte[] payload) {
        try {
            return ReadingBatch.parseFrom(payload).getBatchSeq();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Records what the device asks of its connection; the test completes the answers. */
    private static final class FakeConnection implements DeviceLink {
        final List<CompletableFuture<Void>> connects = new ArrayList<>();
        final List<CompletableFuture<PubAck>> publishes = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();
        Runnable lostListener = () -> { };

        @Override
        public synchronized CompletionStage<Void> connect() {
            CompletableFuture<Void> future = new CompletableFuture<>();
            connects.add(future);
            return future;
        }

        @Override
        public synchronized CompletionStage<PubAck> publish(String topic, byte[] payload) {
            assertThat(topic).startsWith("devices/dev-1/");
            CompletableFuture<PubAck> future = new CompletableFuture<>();
            publishes.add(future);
            payloads.add(payload);
            return future;
        }

        @Override
        public void onConnectionLost(Runnable listener) {
            lostListener = listener;
        }

        void lost() {
            lostListener.run();
        }

        synchronized int connectCount() {
            return connects.size();
        }

        synchronized CompletableFuture<Void> connect(int index) {
            return connects.get(index);
        }

        synchronized int payloadCount() {
            return payloads.size();
        }

        synchronized byte[] payload(int index) {
            return payloads.get(index);
        }

        @Override
        public void close() {
        }
    }
}
