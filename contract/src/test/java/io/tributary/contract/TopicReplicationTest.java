package io.tributary.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicReplicationTest {

    @Test
    void shouldUseThreeCopiesAndTwoInSyncFromThreeBrokersOn() {
        assertThat(TopicReplication.forBrokers(3)).isEqualTo(new TopicReplication((short) 3, 2));
        assertThat(TopicReplication.forBrokers(5)).isEqualTo(TopicReplication.PRODUCTION);
    }

    @Test
    void shouldUseWhatASmallerClusterCanHold() {
        assertThat(TopicReplication.forBrokers(1)).isEqualTo(new TopicReplication((short) 1, 1));
        assertThat(TopicReplication.forBrokers(2)).isEqualTo(new TopicReplication((short) 2, 1));
    }

    @Test
    void shouldPutReplicationAndMinInsyncIntoTheNewTopicBesideItsOwnConfigs() {
        NewTopic topic = TopicReplication.PRODUCTION.newTopic("t", Optional.of(6), Map.of("cleanup.policy", "compact"));

        assertThat(topic.replicationFactor()).isEqualTo((short) 3);
        assertThat(topic.numPartitions()).isEqualTo(6);
        assertThat(topic.configs()).containsEntry("min.insync.replicas", "2").containsEntry("cleanup.policy", "compact");
    }

    @Test
    void shouldRefuseMoreInSyncReplicasThanCopies() {
        assertThatThrownBy(() -> new TopicReplication((short) 2, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min.insync.replicas");
    }
}
