package io.tributary.localstack.kafka;

import io.tributary.contract.TopicReplication;
import io.tributary.localstack.LocalStackException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Topic creation for the local brokers: {@link TopicReplication} as every part creates them, then wait for leaders. */
final class KafkaTopics {
    static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private KafkaTopics() {
    }

    /** Creates the topics that are missing (existing ones are left as they are) and waits for every leader. */
    static void create(Admin client, int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        if (names.length == 0) {
            return;
        }
        TopicReplication replication = get("count the brokers", () -> TopicReplication.of(client,
                ADMIN_TIMEOUT.toMillis()));
        List<NewTopic> topics = Set.copyOf(List.of(names)).stream()
                .map(name -> replication.newTopic(name, Optional.of(partitions), Map.of())).toList();
        for (Map.Entry<String, KafkaFuture<Void>> entry : client.createTopics(topics).values().entrySet()) {
            try {
                get("create topic " + entry.getKey(), () -> entry.getValue().get(ADMIN_TIMEOUT.toMillis(),
                        TimeUnit.MILLISECONDS));
            } catch (LocalStackException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        awaitLeaders(client, List.of(names));
    }

    private static void awaitLeaders(Admin client, List<String> names) {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> descriptions = get("describe topics " + names,
                        () -> client.describeTopics(names).allTopicNames().get(ADMIN_TIMEOUT.toMillis(),
                                TimeUnit.MILLISECONDS));
                boolean ready = descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                if (ready) {
                    return;
                }
            } catch (LocalStackException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new LocalStackException("topics " + names + " have no leader after " + ADMIN_TIMEOUT);
            }
            pause(20);
        }
    }

    /** A Kafka admin call whose failure is a {@link LocalStackException} carrying Kafka's own exception as cause. */
    interface Call<T> {
        T call() throws ExecutionException, InterruptedException, TimeoutException;
    }

    static <T> T get(String what, Call<T> call) {
        try {
            return call.call();
        } catch (ExecutionException e) {
            throw new LocalStackException("could not " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new LocalStackException("timed out: " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted: " + what, e);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted", e);
        }
    }
}
