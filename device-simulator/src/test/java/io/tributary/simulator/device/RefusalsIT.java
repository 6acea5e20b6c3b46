package io.tributary.simulator.device;

import static io.tributary.testing.kafka.KafkaTestTopics.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.gateway.Gateway;
import io.tributary.gateway.GatewayConfig;
import io.tributary.localstack.kafka.EmbeddedKafka;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.fleet.FleetPlan;
import io.tributary.simulator.ledger.DeviceLedger;
import io.tributary.simulator.ledger.SeqRanges;
import io.tributary.simulator.scenario.ScenarioLoader;
import io.tributary.simulator.transport.VertxMqttTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet against the real gateway and Kafka: batches refused for good (0x99) are ledgered as rejected and sent exactly
 * once; while Kafka is down (0x80) every device keeps its batches, pauses and sends them again, and the ledger settles
 * exactly: every batch acknowledged or rejected, every acknowledged batch in Kafka.
 */
class RefusalsIT {

    private static final String PREFIX = "refusalit.";
    private static final String SCENARIO = """
            name: refusals
            seed: 5
            connect-rate: 50
            profiles:
              - name: rooms
                kind: environment
                devices: 4
                sample-interval: 100ms
                batch-size: 5
            anomalies:
              - type: malformed
                profile: rooms
                devices: 1
                at: 0s
                duration: 2s
            """;

    @TempDir
    Path kafkaDir;

    @Test
    void shouldSendPermanentRefusalsOnceAndTransientOnesAgainUntilStored() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir);
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
        String bootstrap = kafka.bootstrapServers();
        try {
            gateway.start().toCompletableFuture().join();
            FleetPlan plan = new FleetPlan("tcp://127.0.0.1:" + gateway.mqttPort(), "it3",
                    ScenarioLoader.parse(SCENARIO), 10, Duration.ofSeconds(30));
            Fleet fleet = new Fleet(plan, new VertxMqttTransport(plan.mqttServerUri(), id -> null));
            try {
                fleet.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> fleet.connectedDevices() == 4);
                Thread.sleep(3_000); // the malformed window (0-2 s) is over

                // Kafka goes away: 0x80 for every device
                kafka.close();
                await().atMost(Duration.ofSeconds(30)).until(() -> fleet.refusedForNow() >= 8);
                assertThat(fleet.connectedDevices()).as("a transient refusal keeps the connection").isEqualTo(4);
                long refusedAt = fleet.refusedForNow();
                Thread.sleep(3_000);
                assertThat(fleet.refusedForNow() - refusedAt).as("devices pause between re-sends: no tight loop")
                        .isLessThan(150);

                kafka = kafka.restart();
                Thread.sleep(3_000);
                assertThat(fleet.stop(Duration.ofSeconds(30))).as("everything settled").isTrue();
            } finally {
                fleet.close();
            }

            Map<String, DeviceLedger.Snapshot> ledger = fleet.ledger().snapshot();
            Map<String, Set<Long>> stored = storedSeqs(bootstrap, PREFIX + "telemetry");
            Map<String, Integer> deadLetters = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : records(bootstrap, PREFIX + "deadletter")) {
                deadLetters.merge(record.key(), 1, Integer::sum);
            }
            long devicesWithRejections = 0;
            for (DeviceLedger.Snapshot device : ledger.values()) {
                assertThat(device.unsettled().isEmpty()).as("%s unsettled", device.deviceId()).isTrue();
                assertThat(device.retries()).as("%s retried while Kafka was down", device.deviceId()).isPositive();
                assertThat(device.generatedReadings()).as(device.deviceId())
                        .isEqualTo(device.publishedReadings() + device.rejectedReadings());
                SeqRanges ackedRanges = SeqRanges.parse(device.ackedRanges());
                Set<Long> acked = new TreeSet<>();
                for (long seq = 1; seq <= device.generatedBatches(); seq++) {
                    if (ackedRanges.contains(seq)) {
                        acked.add(seq);
                    }
                }
                assertThat(acked).as(device.deviceId()).hasSize((int) device.publishedBatches());
                assertThat(stored.getOrDefault(device.deviceId(), Set.of())).as("%s acknowledged => in Kafka",
                        device.deviceId()).containsAll(acked);
                if (device.rejectedBatches() > 0) {
                    devicesWithRejections++;
                    assertThat(deadLetters.getOrDefault(device.deviceId(), 0)).as("each refused batch sent once")
                            .isEqualTo((int) device.rejectedBatches());
                } else {
                    assertThat(deadLetters.getOrDefault(device.deviceId(), 0)).isZero();
                }
            }
            assertThat(devicesWithRejections).as("the malformed device").isEqualTo(1);
        } finally {
            gateway.close();
            kafka.close();
        }
    }

    private static Map<String, Set<Long>> storedSeqs(String bootstrap, String topic) throws Exception {
        Map<String, Set<Long>> seqs = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records(bootstrap, topic)) {
            seqs.computeIfAbsent(record.key(), k -> new TreeSet<>())
                    .add(ReadingBatch.parseFrom(record.value()).getBatchSeq());
        }
        return seqs;
    }
}
