package io.tributary.localstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class BrokerPropertiesTest {

    @Test
    void shouldReplicateEverythingThreeTimesWithTwoInSyncOnAThreeNodeQuorum() {
        List<BrokerProperties.Ports> nodes = List.of(new BrokerProperties.Ports(9001, 9101, 0),
                new BrokerProperties.Ports(9002, 9102, 0), new BrokerProperties.Ports(9003, 9103, 0));

        Properties props = BrokerProperties.of(Path.of("/data/node-2"), 2, nodes, Map.of());

        assertThat(props).contains(
                Map.entry("node.id", "2"),
                Map.entry("controller.quorum.voters", "1@127.0.0.1:9101,2@127.0.0.1:9102,3@127.0.0.1:9103"),
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:9002,CONTROLLER://127.0.0.1:9102"),
                Map.entry("offsets.topic.replication.factor", "3"),
                Map.entry("transaction.state.log.replication.factor", "3"),
                Map.entry("transaction.state.log.min.isr", "2"),
                Map.entry("default.replication.factor", "3"),
                Map.entry("min.insync.replicas", "2"));
    }
}
