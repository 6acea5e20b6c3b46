package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.config.ConfigLoader;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.transport.Publisher;
import io.tributary.proto.v1.ReadingBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    void shouldDropAndCountABatchRefusedForGoodButRetryATransientRefusal() throws Exception {
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.inFlight() >= 1);
        Sent first = publisher.sent.get(0);
        int readings = ReadingBatch.parseFrom(first.payload).getReadingsCount();

        first.result.complete(0x99); // payload format invalid: it would never be accepted
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.droppedReadingsTotal() == readings);
        assertThat(outbox.read(ReadingBatch.parseFrom(first.payload).getBatchSeq())).isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.statuses.stream()
                .anyMatch(s -> s.contains("\"dropped_readings_total\":" + readings)));

        int connectsBefore = publisher.connects;
        Sent second = publisher.sent.stream().filter(s -> !s.result.isDone()).findFirst().orElseThrow();
        long secondSeq = ReadingBatch.parseFrom(second.payload).getBatchSeq();
        second.result.complete(0x97); // quota exceeded: try again later
        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.connects > connectsBefore);
        assertThat(outbox.read(secondSeq)).as("kept for the next connection").isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.sent.stream().filter(s -> {
            try {
                return ReadingBatch.parseFrom(s.payload).getBatchSeq() == secondSeq;
            } catch (Exception e) {
                return false;
            }
        }).count() >= 2);
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
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("value"), "1\n");
        AgentConfig config = ConfigLoader.parse("""
                device: {id: t}
                mqtt: {uri: "tcp://unused:1", backoff-initial: 50ms, backoff-max: 100ms, max-inflight: 16}
                batch: {max-age: 100ms}
                outbox: {dir: %s, max-bytes: 1MiB}
                sensors:
                  - {name: a, type: file, path: /value, interval: 20ms}
                """.formatted(dir.resolve("state")), new ConfigLoader.Overrides(null, null, null, null, root));
        outbox = new DiskOutbox(config.stateDir(), config.outbox());
        agent = new Agent(config, outbox, publisher);
        agent.start();
    }

    record Sent(String topic, byte[] payload, CompletableFuture<Integer> result) {
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
        public CompletableFuture<Integer> publish(String topic, byte[] payload) {
            if (topic.endsWith("/status")) {
                statuses.add(new String(payload));
                return CompletableFuture.completedFuture(0);
            }
            CompletableFuture<Integer> result = new CompletableFuture<>();
            sent.add(new Sent(topic, payload, result));
            if (autoAck) {
                result.complete(0);
            }
            return result;
        }

        int inFlight() {
            return (int) sent.stream().filter(s -> !s.result.isDone()).count();
        }

        void completeAll(int reason) {
            sent.forEach(s -> s.result.complete(reason));
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
