package io.tributary.demo;

import io.tributary.common.KafkaClientConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** How far a consumer group's committed offsets trail a topic's end: zero means everything was processed. */
public final class ConsumerLag implements AutoCloseable {

    private static final long REQUEST_TIMEOUT_SECONDS = 10;

    private final Admin admin;

    public ConsumerLag(KafkaClientConfig kafka) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "tributary-demo-lag");
        this.admin = Admin.create(props);
    }

    /** Records on {@code topic} that {@code group} has not committed yet. */
    public long lag(String group, String topic) throws InterruptedException {
        try {
            Map<TopicPartition, OffsetSpec> partitions = admin.describeTopics(java.util.List.of(topic))
                    .allTopicNames().get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic).partitions().stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(partitions).all()
                    .get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return ends.entrySet().stream().mapToLong(end -> end.getValue().offset()
                    - (committed.get(end.getKey()) == null ? 0 : committed.get(end.getKey()).offset())).sum();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read consumer lag of group " + group + " on " + topic, e);
        }
    }

    /** Waits until {@code group} has committed everything on {@code topic}; false if that did not happen in time. */
    public boolean awaitZero(String group, String topic, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (lag(group, topic) <= 0) {
                    return true;
                }
            } catch (IllegalStateException e) {
                // not fatal: the broker may be busy; try again until the deadline
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
