package io.tributary.gateway.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry folded from its two compacted topics: the latest record per device and per device configuration.
 * Written by one consumer thread, read from any thread.
 */
final class RegistryState {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryState.class);

    private final RegistryTopics topics;
    private final ConcurrentMap<String, DeviceRecord> devices = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, byte[]> configs = new ConcurrentHashMap<>();

    RegistryState(RegistryTopics topics) {
        this.topics = topics;
    }

    Optional<DeviceRecord> device(String id) {
        return Optional.ofNullable(devices.get(id));
    }

    Optional<byte[]> config(String id) {
        byte[] config = configs.get(id);
        return config == null ? Optional.empty() : Optional.of(config.clone());
    }

    List<DeviceRecord> devices() {
        List<DeviceRecord> all = new ArrayList<>(devices.values());
        all.sort((a, b) -> a.deviceId().compareTo(b.deviceId()));
        return all;
    }

    /** Folds one record in and tells {@code listener}; unreadable records are logged and skipped. */
    void apply(ConsumerRecord<String, byte[]> record, RegistryListener listener) {
        String key = record.key();
        if (key == null) {
            return;
        }
        if (record.topic().equals(topics.devices())) {
            if (record.value() == null) {
                devices.remove(key);
                listener.deviceChanged(key, Optional.empty());
                return;
            }
            DeviceRecord device;
            try {
                device = DeviceRecord.fromJson(key, record.value());
            } catch (IllegalArgumentException e) {
                LOG.warn("Skipping an unreadable registry record [topic: {}, offset: {}]: {}", record.topic(),
                        record.offset(), e.getMessage());
                return;
            }
            devices.put(key, device);
            listener.deviceChanged(key, Optional.of(device));
        } else if (record.topic().equals(topics.config())) {
            if (record.value() == null) {
                configs.remove(key);
                listener.configChanged(key, Optional.empty());
            } else {
                configs.put(key, record.value());
                listener.configChanged(key, Optional.of(record.value().clone()));
            }
        }
    }

    /** A consumer without a group (assign, no commits) for reading the registry topics from their beginning. */
    static KafkaConsumer<String, byte[]> consumer(Map<String, Object> kafkaProperties, String clientId) {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props);
    }

    /**
     * Assigns every partition of both topics, from the beginning.
     *
     * @return the end offsets now: the consumer has caught up once its positions reach them
     * @throws RegistryException when a topic does not exist
     */
    Map<TopicPartition, Long> assignFromBeginning(KafkaConsumer<String, byte[]> consumer,
            java.time.Duration timeout) {
        List<TopicPartition> partitions = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String topic : List.of(topics.devices(), topics.config())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            // A topic created a moment ago may not be in the metadata yet: ask again until the deadline.
            while ((infos == null || infos.isEmpty()) && System.nanoTime() - deadline < 0) {
                try {
                    Thread.sleep(100); // on the registry's own thread or a CLI thread, never an event loop
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
        return new HashMap<>(consumer.endOffsets(partitions, timeout));
    }

    static boolean caughtUp(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> ends,
            java.time.Duration timeout) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey(), timeout) < end.getValue()) {
                return false;
            }
        }
        return true;
    }
}
