package io.tributary.contract;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every part creates Tributary's topics: replication factor 3 and {@code min.insync.replicas} 2 (an {@code acks=all}
 * write survives one broker down, and is refused rather than held by one copy when two are down), or, on a cluster of
 * fewer than three brokers, what it can hold (one copy per broker, min.insync.replicas 1), said in the log.
 *
 * @param replicationFactor copies of each partition
 * @param minInsyncReplicas copies an {@code acks=all} write needs
 */
public record TopicReplication(short replicationFactor, int minInsyncReplicas) {
    private static final Logger LOG = LoggerFactory.getLogger(TopicReplication.class);

    /** The production defaults, from three brokers on. */
    public static final TopicReplication PRODUCTION = new TopicReplication((short) 3, 2);

    public TopicReplication {
        if (replicationFactor < 1 || minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("need 1 <= min.insync.replicas <= replication factor, got "
                    + minInsyncReplicas + " and " + replicationFactor);
        }
    }

    /** The production defaults, or what {@code brokers} brokers can hold. */
    public static TopicReplication forBrokers(int brokers) {
        return brokers >= PRODUCTION.replicationFactor ? PRODUCTION
                : new TopicReplication((short) Math.max(1, brokers), 1);
    }

    /** {@link #forBrokers} for the brokers the cluster has now; logs when that is below the production defaults. */
    public static TopicReplication of(Admin admin, long timeoutMillis)
            throws ExecutionException, InterruptedException, TimeoutException {
        int brokers = admin.describeCluster().nodes().get(timeoutMillis, TimeUnit.MILLISECONDS).size();
        TopicReplication replication = forBrokers(brokers);
        if (!replication.equals(PRODUCTION)) {
            LOG.info("Kafka has {} broker(s): new topics get replication factor {} and min.insync.replicas {}"
                    + " (production: {} and {}, from {} brokers on)", brokers, replication.replicationFactor,
                    replication.minInsyncReplicas, PRODUCTION.replicationFactor, PRODUCTION.minInsyncReplicas,
                    PRODUCTION.replicationFactor);
        }
        return replication;
    }

    /** A topic with this replication ({@code partitions} empty = the broker's default count) and {@code configs}. */
    public NewTopic newTopic(String name, Optional<Integer> partitions, Map<String, String> configs) {
        Map<String, String> all = new HashMap<>(configs);
        all.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas));
        return new NewTopic(name, partitions, Optional.of(replicationFactor)).configs(all);
    }
}
