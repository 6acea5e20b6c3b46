package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.config.AgentConfigFile;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tributary.agent.outbox.DiskFaults;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.mqtt.PubAck;
import io.tributary.agent.transport.Publisher;
import io.tributary.proto.v1.ReadingBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's publishing rules against a scripted uplink: in-flight window, refusals, reconnects. */
class AgentTest {

    @TempDir
    Path dir;

    private final ScriptedPublisher publisher = new ScriptedPublisher();
    private Agent agent;
    private DiskOutbox outbox;
    private DiskFaults faults = DiskFaults.NONE;

    @AfterEach
    void tearDown() {
        if (agent != null) {
            publisher.connected = false;
            agent.close();
        }
    }

    @Test
    void shouldKeepNoMoreInFlightThanTheGatewaysReceiveMaximum() throws Exception {
        publisher.receiveMaximum = 2;
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.pendingCount() >= 5);

        assertThat(publisher.inFlight()).as("capped by Receive Maximum 2 (max-inflight is 16)").isEqualTo(2);
        publisher.completeAll(0x00);
        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.sent.size() >= 4);
        assertThat(publisher.inFlight()).isLessThanOrEqualTo(2);
    }

    @Test
    void shouldDropARefusedBatchOnceCountItAndReportItInTheNextBatch() throws Exception {
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.inFlight() >= 1);
        Sent first = publisher.sent.get(0);
        ReadingBatch refused = ReadingBatch.parseFrom(first.payload);
        int readings = refused.getReadingsCount();

        // payload format invalid (on the gateway: the input contract): it would never be accepted
        first.result.complete(new PubAck(0x99, "reading 0 (a): event time out of range"));
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.droppedReadingsTotal() == readings);
        assertThat(outbox.read(refused.getBatchSeq())).isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.statuses.stream()
                .anyMatch(s -> s.contains("\"dropped_readings_total\":" + readings)));

        // the drop shows downstream: a later batch carries it in dropped_readings
        publisher.autoAckFrom(0x00);
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.batches().stream()
                .anyMatch(b -> b.getDroppedReadings() == readings));
        assertThat(outbox.droppedReadings()).as("reported, so no longer unreported").isZero();
        Thread.sleep(500);
        assertThat(publisher.batches().stream().filter(b -> b.getBatchSeq() == refused.getBatchSeq()))
                .as("a batch refused for good is sent exactly once").hasSize(1);
        assertThat(publisher.connects).as("no reconnect for a permanent refusal").isEqualTo(1);
        assertThat(agent.refusedBatchesTotal()).isEqualTo(1);
    }

    @Test
    void shouldKeepATransientlyRefusedBatchAndSendItAgainAfterABackoffWithoutReconnecting() throws Exception {
        start("backoff-initial: 400ms, backoff-max: 800ms");
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.inFlight() >= 1);
        Sent first = publisher.sent.get(0);
        long seq = ReadingBatch.parseFrom(first.payload).getBatchSeq();

        long refusedAt = System.nanoTime();
        first.result.complete(new PubAck(0x97, "quota exceeded"));
        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.sendsOf(seq) >= 2);
        long resentAfterMs = (System.nanoTime() - refusedAt) / 1_000_000;

        assertThat(resentAfterMs).as("re-sent only after the backoff (400 ms with jitter: at least 200 ms)")
                .isGreaterThanOrEqualTo(200);
        assertThat(outbox.read(seq)).as("kept in the outbox").isNotNull();
        assertThat(outbox.droppedReadingsTotal()).isZero();
        assertThat(publisher.connects).as("throttling keeps the connection").isEqualTo(1);

        // 0x80 (Kafka did not take it) is transient too; the batch goes out once more and is then stored
        publisher.sent.stream().filter(s -> !s.result.isDone()).forEach(s -> s.result.complete(
                new PubAck(0x80, "not stored, retry later")));
        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.sendsOf(seq) >= 3);
        publisher.autoAckFrom(0x00);
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.read(seq) == null);
        assertThat(outbox.droppedReadingsTotal()).isZero();
        assertThat(agent.retriedBatchesTotal()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void shouldBackOffWhenTheGatewayClosesEveryConnectionRightAfterConnect() throws Exception {
        // MQTT 3.1.1 gateways (and ours on a failed send) close the connection instead of a negative PUBACK
        publisher.closeAfterPublish = true;
        start("backoff-initial: 200ms, backoff-max: 1600ms");
        Thread.sleep(3_000);
        assertThat(publisher.connects).as("reconnects back off (200, 400, 800, 1600 ms ...), not a loop")
                .isBetween(2, 8);
        assertThat(outbox.droppedReadingsTotal()).isZero();
    }

    @Test
    void shouldDropABatchLargerThanTheGatewaysMaximumPacketSizeInsteadOfLosingTheConnectionOverIt() throws Exception {
        publisher.maximumPacketSize = 40; // smaller than any batch
        publisher.autoAck = true;
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.droppedBatchesTotal() >= 2);
        assertThat(publisher.sent).as("never sent: it would end the connection").isEmpty();
        assertThat(publisher.connects).isEqualTo(1);

        publisher.maximumPacketSize = Long.MAX_VALUE;
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.batches().stream()
                .anyMatch(b -> b.getDroppedReadings() > 0));
        assertThat(PublishLoop.publishPacketBytes("devices/t/telemetry", 100)).isEqualTo(1 + 1 + 2 + 19 + 2 + 1 + 100);
        assertThat(PublishLoop.publishPacketBytes("t", 20_000)).isEqualTo(1 + 3 + 2 + 1 + 2 + 1 + 20_000);
    }

    @Test
    void shouldCountABatchTheDiskRefusedAndKeepTheSequenceContiguous() throws Exception {
        AtomicBoolean diskFull = new AtomicBoolean();
        faults = new DiskFaults() {
            @Override
            public void beforeWrite(Path segment) throws IOException {
                if (diskFull.get()) {
                    throw new IOException("No space left on device");
                }
            }
        };
        publisher.autoAck = true;
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.batches().size() >= 2);

        diskFull.set(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.failedAppendsTotal() >= 2);
        diskFull.set(false);

        // the next stored batch reports them
        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.droppedReadings() == 0
                && publisher.batches().stream().mapToLong(ReadingBatch::getDroppedReadings).sum()
                        == outbox.droppedReadingsTotal());
        long lost = outbox.droppedReadingsTotal();
        assertThat(lost).as("the readings of the batches the disk refused").isPositive();
        List<Long> seqs = publisher.batches().stream().map(ReadingBatch::getBatchSeq).distinct().sorted().toList();
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("no gap: a batch never stored took no number").isEqualTo(i + 1L);
        }
    }

    @Test
    void shouldBufferWhileTheGatewayIsUnreachableAndSendEverythingWhenItIsBack() throws Exception {
        publisher.reachable = false;
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.pendingCount() >= 3);
        assertThat(publisher.sent).isEmpty();

        publisher.reachable = true;
        publisher.autoAck = true;
        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.pendingCount() == 0 && publisher.sent.size() >= 3);
    }

    private void start() throws Exception {
        start("backoff-initial: 50ms, backoff-max: 100ms");
    }

    private void start(String backoff) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("value"), "1\n");
        AgentConfig config = AgentConfigFile.parse("""
                device: {id: t}
                mqtt: {uri: "tcp://unused:1", %s, max-inflight: 16}
                batch: {max-age: 100ms}
                outbox: {dir: %s, max-bytes: 1MiB}
                sensors:
                  - {name: a, type: file, path: /value, interval: 20ms}
                """.formatted(backoff, dir.resolve("state")), new AgentConfigFile.Overrides(null, null, null, null, root,
                null));
        outbox = new DiskOutbox(config.stateDir(), config.outbox(), faults);
        // full jitter waits a random share of each backoff ceiling; three quarters makes the waits known
        agent = new Agent(config, outbox, publisher, () -> 0.75);
        agent.start();
    }

    record Sent(String topic, byte[] payload, CompletableFuture<PubAck> result) {
    }

    /** An uplink whose PUBACKs the test gives by hand (or automatically with {@code autoAck}). */
    static final class ScriptedPublisher implements Publisher {
        final List<Sent> sent = new CopyOnWriteArrayList<>();
        final List<String> statuses = new CopyOnWriteArrayList<>();
        volatile boolean connected;
        volatile boolean reachable = true;
        volatile boolean autoAck;
        volatile int receiveMaximum = 65535;
        volatile int connects;
        volatile boolean closeAfterPublish;
        volatile long maximumPacketSize = Long.MAX_VALUE;

        @Override
        public long maximumPacketSize() {
            return maximumPacketSize;
        }

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public int connect(byte[] birth, byte[] lastWill) throws Exception {
            if (!reachable) {
                throw new java.net.ConnectException("unreachable");
            }
            connects++;
            connected = true;
            statuses.add(new String(birth));
            return receiveMaximum;
        }

        @Override
        public CompletableFuture<PubAck> publish(String topic, byte[] payload) {
            if (topic.endsWith("/status")) {
                statuses.add(new String(payload));
                return CompletableFuture.completedFuture(PubAck.SUCCESS);
            }
            CompletableFuture<PubAck> result = new CompletableFuture<>();
            sent.add(new Sent(topic, payload, result));
            if (closeAfterPublish) {
                disconnect();
            } else if (autoAck) {
                result.complete(PubAck.SUCCESS);
            }
            return result;
        }

        /** From now on every publish is answered at once with {@code reason}; open ones too. */
        void autoAckFrom(int reason) {
            autoAck = true;
            completeAll(reason);
        }

        List<ReadingBatch> batches() {
            List<ReadingBatch> out = new ArrayList<>();
            for (Sent s : sent) {
                try {
                    out.add(ReadingBatch.parseFrom(s.payload));
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            }
            return out;
        }

        long sendsOf(long seq) {
            return batches().stream().filter(b -> b.getBatchSeq() == seq).count();
        }

        int inFlight() {
            return (int) sent.stream().filter(s -> !s.result.isDone()).count();
        }

        void completeAll(int reason) {
            sent.forEach(s -> s.result.complete(PubAck.of(reason)));
        }

        @Override
        public void onConfig(Consumer<byte[]> listener) {
        }

        @Override
        public void disconnect() {
            connected = false;
            sent.forEach(s -> s.result.completeExceptionally(new IllegalStateException("connection lost")));
        }

        @Override
        public void close() {
            connected = false;
        }
    }
}
