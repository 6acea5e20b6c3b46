package io.tributary.localstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {

    @Test
    void shouldConfigureEverythingASingleBrokerNeeds() {
        Properties props = BrokerProperties.of(Path.of("/data"), 1, List.of(new BrokerProperties.Ports(9092, 9093, 0)), Map.of());

        assertThat(props).contains(
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("default.replication.factor", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("log.cleaner.dedupe.buffer.size", "2097152"),
                Map.entry("auto.create.topics.enable", "true"),
                Map.entry("num.partitions", "1"),
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"),
                Map.entry("controller.quorum.voters", "1@127.0.0.1:9093"),
                Map.entry("log.dirs", Path.of("/data/logs").toString()));
    }

    @Test
    void shouldLetOverridesWin() {
        Properties props = BrokerProperties.of(Path.of("/data"), 1, List.of(new BrokerProperties.Ports(1, 2, 0)),
                Map.of("num.partitions", "4", "message.max.bytes", "2000000"));

        assertThat(props).contains(Map.entry("num.partitions", "4"), Map.entry("message.max.bytes", "2000000"));
    }
}
