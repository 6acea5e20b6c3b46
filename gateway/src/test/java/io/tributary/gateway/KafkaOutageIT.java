package io.tributary.gateway;

import static io.tributary.testing.batch.TestBatches.batch;
import static io.tributary.testing.mqtt.MqttTestClients.telemetry;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.localstack.kafka.EmbeddedKafka;
import io.tributary.testing.kafka.KafkaTestTopics;
import io.tributary.testing.mqtt.MqttTestClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka goes away under a running gateway and comes back on the same address: devices get no success PUBACK while it
 * is away, the gateway recovers by itself, and every batch it acknowledged is in Kafka — none acknowledged and lost.
 */
class KafkaOutageIT {

    private static final String PREFIX = "outage.";
    private static final String DEVICE = "outage-dev-1";

    @TempDir
    Path kafkaDir;

    @Test
    void shouldRecoverWithoutRestartAndLoseNothingItAcknowledged() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir);
        kafka.createTopics(3, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "device-status");
        Gateway gateway = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .httpPort(-1)
                .kafkaBootstrapServers(kafka.bootstrapServers())
                .topicPrefix(PREFIX)
                .verticleInstances(1)
                .kafkaDeliveryTimeout(Duration.ofSeconds(2))
                .shutdownTimeout(Duration.ofSeconds(1)).build());
        List<Long> acknowledged = new ArrayList<>();
        List<Long> refused = new ArrayList<>();
        long seq = 0;
        try {
            gateway.start().toCompletableFuture().join();
            try (MqttTestClients.V5 device = MqttTestClients.v5(gateway.mqttPort(), DEVICE)) {
                // Given a working pipeline
                for (int i = 0; i < 10; i++) {
                    publish(device, ++seq, acknowledged, refused);
                }
                assertThat(acknowledged).hasSize(10);

                // When Kafka goes away, the device gets refusals, not successes
                kafka.close();
                for (int i = 0; i < 3; i++) {
                    publish(device, ++seq, acknowledged, refused);
                }
                assertThat(refused).as("refused while Kafka is down").hasSize(3);

                // And when Kafka is back on the same address, the gateway accepts again by itself
                kafka = kafka.restart();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                int acceptedAfter = acknowledged.size();
                while (acknowledged.size() < acceptedAfter + 10 && System.nanoTime() < deadline) {
                    publish(device, ++seq, acknowledged, refused);
                }
                assertThat(acknowledged.size()).as("accepted after Kafka came back").isEqualTo(acceptedAfter + 10);
            }
        } finally {
            gateway.close();
        }
        try {
            // Then every acknowledged batch is in Kafka
            Set<Long> stored = KafkaTestTopics.batchSeqs(kafka.bootstrapServers(), PREFIX + "telemetry", DEVICE);
            assertThat(stored).containsAll(acknowledged);
        } finally {
            kafka.close();
        }
    }

    private static void publish(MqttTestClients.V5 device, long seq, List<Long> acknowledged, List<Long> refused)
            throws MqttException {
        int reason = device.publishAndAwaitReason(telemetry(DEVICE), batch(DEVICE, seq, 2).toByteArray());
        if (reason < 0x80) {
            acknowledged.add(seq);
        } else {
            refused.add(seq);
        }
    }
}
