package io.tributary.contract.registry;

import io.tributary.contract.TopicReplication;
import io.tributary.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The registry's three compacted Kafka topics, one partition each: {@code {prefix}devices} (key = device id, value =
 * {@link DeviceRecord} JSON), {@code {prefix}device-config} (key = device id, value = the configuration bytes pushed to
 * the device on {@code devices/{id}/config}) and {@code {prefix}device-metadata} (key = device id, value =
 * {@link io.tributary.contract.metadata.DeviceLabels} JSON, no secrets: a reader joins it whole, e.g. as a
 * GlobalKTable, so its partition count need not match the telemetry topic's).
 */
public record RegistryTopics(String devices, String config, String metadata) {

    /**
     * The topics for a topic prefix.
     *
     * @throws IllegalArgumentException for a prefix {@link Topics} refuses
     */
    public static RegistryTopics forPrefix(String prefix) {
        Topics topics = new Topics(prefix);
        return new RegistryTopics(topics.devices(), topics.deviceConfig(), topics.deviceMetadata());
    }

    public List<String> names() {
        return List.of(devices, config, metadata);
    }

    /**
     * Properties of a consumer without a group (assign, no commits) that reads the registry topics from their
     * beginning: String keys, byte[] values.
     *
     * @param kafkaProperties at least {@code bootstrap.servers}, plus security settings if any
     */
    public static Properties consumerProperties(Map<String, Object> kafkaProperties, String clientId) {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }

    /**
     * Creates the three topics (one partition, compacted, {@link TopicReplication}) unless they exist.
     *
     * @param kafkaProperties at least {@code bootstrap.servers}, plus security settings if any
     * @throws RegistryException when Kafka does not answer in time
     */
    public void ensureExist(Map<String, Object> kafkaProperties, long timeoutMillis) {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(1000, timeoutMillis));
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, timeoutMillis));
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(timeoutMillis, TimeUnit.MILLISECONDS);
            List<String> missingNames = names().stream().filter(t -> !existing.contains(t)).toList();
            if (missingNames.isEmpty()) {
                return;
            }
            TopicReplication replication = TopicReplication.of(admin, timeoutMillis);
            List<NewTopic> missing = missingNames.stream().map(topic -> replication.newTopic(topic, Optional.of(1),
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))).toList();
            try {
                admin.createTopics(missing).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (ExecutionException e) {
            throw new RegistryException("could not create the registry topics " + names() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new RegistryException("Kafka did not answer within " + timeoutMillis + " ms while checking the"
                    + " registry topics " + names(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while checking the registry topics", e);
        }
    }

    /**
     * Reads {@code topics} (every partition) from their beginning to their end as they are now, passing each record to
     * {@code each}; blocks: a CLI or provisioning thread, never an event loop.
     *
     * @param kafkaProperties at least {@code bootstrap.servers}, plus security settings if any
     * @throws RegistryException when a topic does not exist or Kafka does not answer within {@code timeout}
     */
    public static void readToEnd(Map<String, Object> kafkaProperties, String clientId, List<String> topics,
            Duration timeout, Consumer<ConsumerRecord<String, byte[]>> each) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProperties(kafkaProperties,
                clientId))) {
            Map<TopicPartition, Long> ends = assignFromBeginning(consumer, topics, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!caughtUp(consumer, ends, timeout)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new RegistryException("could not read " + topics + " within " + timeout.toMillis()
                            + " ms");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(each);
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new RegistryException("Kafka did not answer within " + timeout.toMillis() + " ms: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Assigns every partition of the topics, from the beginning.
     *
     * @return the end offsets now: the consumer has caught up once its positions reach them
     * @throws RegistryException when a topic does not exist
     */
    private static Map<TopicPartition, Long> assignFromBeginning(KafkaConsumer<String, byte[]> consumer,
            List<String> topics, Duration timeout) {
        List<TopicPartition> partitions = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            // A topic created a moment ago may not be in the metadata yet: ask again until the deadline.
            while ((infos == null || infos.isEmpty()) && System.nanoTime() - deadline < 0) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException("interrupted while looking for registry topic '" + topic + "'", e);
                }
                infos = consumer.partitionsFor(topic, timeout);
            }
            if (infos == null || infos.isEmpty()) {
                throw new RegistryException("registry topic '" + topic + "' does not exist");
            }
            infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer.endOffsets(partitions, timeout);
    }

    private static boolean caughtUp(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> ends,
            Duration timeout) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey(), timeout) >= end.getValue());
    }
}
