package io.tributary.processor.writer;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Progress through one poll: the next offset to commit per partition, and the partitions lost meanwhile. */
final class InFlight {

    private final Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    private final Set<TopicPartition> revoked = new HashSet<>();

    void done(ConsumerRecord<?, ?> record) {
        done.put(new TopicPartition(record.topic(), record.partition()),
                new OffsetAndMetadata(record.offset() + 1, record.leaderEpoch(), ""));
    }

    /** The partitions moved to another writer during this poll: their records are the new owner's. */
    void revoke(Collection<TopicPartition> partitions) {
        revoked.addAll(partitions);
    }

    boolean owns(ConsumerRecord<?, ?> record) {
        return revoked.isEmpty() || !revoked.contains(new TopicPartition(record.topic(), record.partition()));
    }

    List<Pending> owned(List<Pending> chunk) {
        if (revoked.isEmpty()) {
            return chunk;
        }
        return chunk.stream().filter(p -> owns(p.record())).toList();
    }

    Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>(done);
        result.keySet().removeAll(revoked);
        return result;
    }

    Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> result = committable();
        result.keySet().retainAll(partitions);
        return result;
    }
}
