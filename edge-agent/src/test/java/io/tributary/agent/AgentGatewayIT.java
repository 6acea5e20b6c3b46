package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.config.AgentConfigFile;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.transport.PahoPublisher;
import io.tributary.gateway.Gateway;
import io.tributary.gateway.GatewayConfig;
import io.tributary.localstack.kafka.EmbeddedKafka;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.testing.batch.TestBatches;
import io.tributary.testing.kafka.KafkaTestTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against the real gateway and a real Kafka: a batch the gateway refuses for good (0x99) is sent once,
 * dropped, counted and reported downstream in a later batch's {@code dropped_readings}; while Kafka is down the
 * gateway answers 0x80 and the agent keeps every batch, backs off and sends it again until Kafka took it.
 */
class AgentGatewayIT {

    private static final String PREFIX = "agentit.";
    private static final String DEVICE = "it-agent";

    @TempDir
    Path dir;

    @Test
    void shouldDropAPermanentlyRefusedBatchOnceAndRetryTransientRefusalsUntilStored() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        kafka.createTopics(1, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "device-status");
        Gateway gateway = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .httpPort(-1)
                .kafkaBootstrapServers(kafka.bootstrapServers())
                .topicPrefix(PREFIX)
                .verticleInstances(1)
                .kafkaDeliveryTimeout(Duration.ofSeconds(2))
                .shutdownTimeout(Duration.ofSeconds(1)).build());
        Agent agent = null;
        DiskOutbox outbox = null;
        try {
            gateway.start().toCompletableFuture().join();
            AgentConfig config = config("tcp://127.0.0.1:" + gateway.mqttPort());

            // Given an outbox that still holds a batch the gateway will never take: written under another device id
            // (an SD card image cloned from another device, or a renamed device). Today's gateway refuses a batch
            // whose device_id differs from its topic with 0x99, like any batch that breaks the input contract.
            int foreignReadings = 3;
            try (DiskOutbox seeded = new DiskOutbox(config.stateDir(), config.outbox())) {
                ReadingBatch foreign = foreignBatch(seeded.nextSequence(), foreignReadings);
                assertThat(seeded.append(foreign.getBatchSeq(), foreignReadings, foreign.toByteArray())).isTrue();
            }

            // When the agent runs
            outbox = new DiskOutbox(config.stateDir(), config.outbox());
            DiskOutbox box = outbox;
            String bootstrap = kafka.bootstrapServers(); // the same address after restart()
            agent = new Agent(config, outbox, new PahoPublisher(config.mqtt(), config.deviceId(),
                    config.statusTopic(), config.configTopic()));
            Agent running = agent;
            agent.start();

            // Then the refused batch leaves the outbox as dropped, and a later stored batch reports it
            await().atMost(Duration.ofSeconds(30)).until(() -> box.droppedReadingsTotal() == foreignReadings);
            await().atMost(Duration.ofSeconds(30)).until(() -> telemetry(bootstrap).stream()
                    .anyMatch(b -> b.getDroppedReadings() == foreignReadings));
            assertThat(running.refusedBatchesTotal()).isEqualTo(1);
            assertThat(outbox.droppedReadings()).as("reported downstream").isZero();
            // and it went to the gateway exactly once: one dead letter, also after more batches were acknowledged
            long acknowledgedBefore = telemetry(kafka.bootstrapServers()).size();
            await().atMost(Duration.ofSeconds(30)).until(() -> telemetry(bootstrap).size()
                    >= acknowledgedBefore + 5);
            assertThat(records(kafka.bootstrapServers(), PREFIX + "deadletter")).as("dead letters of this device")
                    .hasSize(1);

            // When Kafka goes away, the gateway answers 0x80 (not stored, retry later)
            kafka.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> running.retriedBatchesTotal() >= 3);
            long retriedWhileDown = running.retriedBatchesTotal();
            assertThat(outbox.pendingCount()).as("every refused batch kept").isPositive();
            assertThat(outbox.droppedReadingsTotal()).as("a transient refusal drops nothing")
                    .isEqualTo(foreignReadings);
            // and the agent backs off (backoff-max 1 s; each answer takes the 2 s delivery timeout): no tight loop
            Thread.sleep(3_000);
            assertThat(running.retriedBatchesTotal() - retriedWhileDown).as("re-sends in 3 s while refused")
                    .isLessThan(60);

            // When Kafka is back, everything goes out
            kafka = kafka.restart();
            await().atMost(Duration.ofSeconds(60)).until(() -> box.pendingCount() == 0);
            agent.close();
            agent = null;

            // Then every batch the agent made is in Kafka: 2..last with no gap, and only the foreign readings dropped
            SortedSet<Long> stored = new TreeSet<>();
            long reportedDrops = 0;
            for (ReadingBatch batch : telemetry(kafka.bootstrapServers())) {
                if (stored.add(batch.getBatchSeq())) {
                    reportedDrops += batch.getDroppedReadings();
                }
            }
            assertThat(stored.first()).as("seq 1 was the refused batch").isEqualTo(2);
            assertThat(stored.last() - stored.first() + 1).as("no gap in %s", stored).isEqualTo(stored.size());
            assertThat(reportedDrops).isEqualTo(foreignReadings);
            assertThat(outbox.droppedReadingsTotal()).isEqualTo(foreignReadings);
        } finally {
            if (agent != null) {
                agent.close();
            }
            gateway.close();
            kafka.close();
        }
    }

    private AgentConfig config(String uri) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("value"), "21.5\n");
        return AgentConfigFile.parse("""
                device: {id: %s}
                mqtt: {uri: "%s", backoff-initial: 200ms, backoff-max: 1s, connect-timeout: 5s}
                batch: {max-age: 200ms, max-readings: 50}
                outbox: {dir: %s, max-bytes: 1MiB}
                sensors:
                  - {name: a, type: file, path: /value, interval: 50ms}
                """.formatted(DEVICE, uri, dir.resolve("state")),
                new AgentConfigFile.Overrides(null, null, null, null, root, null));
    }

    private static ReadingBatch foreignBatch(long seq, int readings) {
        Instant now = Instant.now();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return TestBatches.batch("another-device").seq(seq).createdAt(nanos)
                .add(readings, i -> TestBatches.reading("a", i, nanos - 1_000_000L * i)).build();
    }

    private static List<ReadingBatch> telemetry(String bootstrap) {
        return KafkaTestTopics.batches(bootstrap, PREFIX + "telemetry", DEVICE);
    }

    /** Every record of {@code topic} keyed by this device, from the beginning to the current end. */
    private static List<ConsumerRecord<String, byte[]>> records(String bootstrap, String topic) {
        return KafkaTestTopics.records(bootstrap, topic, DEVICE);
    }
}
