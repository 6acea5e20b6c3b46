package io.tributary.contract.registry;

import io.tributary.common.LogSanitizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
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
public final class RegistryState {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryState.class);

    /** WARN lines about refused records per minute at most; the rest go to DEBUG (a whole topic may be refused). */
    private static final int REFUSAL_WARNINGS_PER_MINUTE = 20;

    private final RegistryTopics topics;
    private final CredentialRules rules;
    private final Consumer<CredentialRules.Problem> refusals;
    private final ConcurrentMap<String, DeviceRecord> devices = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, byte[]> configs = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, CredentialRules.Problem> refused = new ConcurrentHashMap<>();
    private long warningMinute = Long.MIN_VALUE;
    private int warningsThisMinute;
    private long warningsSuppressed;

    public RegistryState(RegistryTopics topics) {
        this(topics, CredentialRules.DEFAULTS, problem -> { });
    }

    /**
     * @param rules what a device record must look like to be used
     * @param refusals told about every record refused (on the consumer thread; must not block)
     */
    public RegistryState(RegistryTopics topics, CredentialRules rules, Consumer<CredentialRules.Problem> refusals) {
        this.topics = topics;
        this.rules = rules;
        this.refusals = refusals;
    }

    /** Devices whose latest record was refused (they cannot log in), by id. */
    public Map<String, CredentialRules.Problem> refused() {
        return Map.copyOf(refused);
    }

    public Optional<DeviceRecord> device(String id) {
        return Optional.ofNullable(devices.get(id));
    }

    public Optional<byte[]> config(String id) {
        byte[] config = configs.get(id);
        return config == null ? Optional.empty() : Optional.of(config.clone());
    }

    public List<DeviceRecord> devices() {
        List<DeviceRecord> all = new ArrayList<>(devices.values());
        all.sort((a, b) -> a.deviceId().compareTo(b.deviceId()));
        return all;
    }

    /** Folds one record in and tells {@code listener}; unreadable records are logged and skipped. */
    public void apply(ConsumerRecord<String, byte[]> record, RegistryListener listener) {
        String key = record.key();
        if (key == null) {
            return;
        }
        if (record.topic().equals(topics.devices())) {
            if (record.value() == null) {
                devices.remove(key);
                refused.remove(key);
                listener.deviceChanged(key, Optional.empty());
                return;
            }
            DeviceRecord device;
            try {
                device = DeviceRecord.fromJson(key, record.value(), rules);
            } catch (InvalidDeviceRecordException e) {
                refuse(record, key, e.problem(), e.getMessage(), listener);
                return;
            } catch (RuntimeException e) { // fromJson throws nothing else; a consumer must survive any record
                refuse(record, key, CredentialRules.Problem.UNREADABLE, LogSanitizer.sanitize(String.valueOf(e)),
                        listener);
                return;
            }
            refused.remove(key);
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

    /**
     * A record that cannot be used replaces the device's previous one: the device cannot log in, and its open
     * connections are closed (an operator who rotated a secret with a broken record must not leave the old secret
     * working). Counted, and logged once (rate-limited when a whole topic is refused, e.g. after the iteration range
     * was narrowed).
     */
    private void refuse(ConsumerRecord<String, byte[]> record, String key, CredentialRules.Problem problem,
            String message, RegistryListener listener) {
        refused.put(key, problem);
        refusals.accept(problem);
        long minute = System.nanoTime() / 60_000_000_000L;
        if (minute != warningMinute) {
            warningMinute = minute;
            warningsThisMinute = 0;
        }
        if (warningsThisMinute < REFUSAL_WARNINGS_PER_MINUTE) {
            warningsThisMinute++;
            LOG.warn("Refusing a device record: the device cannot log in [topic: {}, offset: {}, reason: {},"
                    + " refused records not logged before: {}]: {}", record.topic(), record.offset(), problem.code(),
                    warningsSuppressed, message);
            warningsSuppressed = 0;
        } else {
            warningsSuppressed++;
            LOG.debug("Refusing a device record [topic: {}, offset: {}, reason: {}]: {}", record.topic(),
                    record.offset(), problem.code(), message);
        }
        if (devices.remove(key) != null) {
            listener.deviceChanged(key, Optional.empty());
        }
    }

    /** A consumer without a group (assign, no commits) for reading the registry topics from their beginning. */
    public static KafkaConsumer<String, byte[]> consumer(Map<String, Object> kafkaProperties, String clientId) {
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
    public Map<TopicPartition, Long> assignFromBeginning(KafkaConsumer<String, byte[]> consumer,
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

    public static boolean caughtUp(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> ends,
            java.time.Duration timeout) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey(), timeout) < end.getValue()) {
                return false;
            }
        }
        return true;
    }
}
