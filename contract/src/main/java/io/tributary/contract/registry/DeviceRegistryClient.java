package io.tributary.contract.registry;

import io.tributary.contract.metadata.DeviceLabels;
import io.tributary.contract.metadata.DeviceMetadataReader;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Provisions and manages devices in the registry, and their labels (the {@code devices} CLI, the demo, tests). Every
 * write is acknowledged by Kafka ({@code acks=all}) before the method returns; running gateways see it within a poll.
 *
 * <p>Read-modify-write operations (enable, disable, add) read the registry first; two administrators changing the
 * same device at the same instant can overwrite each other (last writer wins), which is acceptable for an operator tool.
 */
public final class DeviceRegistryClient implements AutoCloseable {

    private final RegistryTopics topics;
    private final Map<String, Object> kafkaProperties;
    private final Duration timeout;
    private final SecretHasher hasher;
    private final Clock clock;
    private final KafkaProducer<String, byte[]> producer;

    /**
     * @param bootstrapServers Kafka's {@code bootstrap.servers}
     * @param topicPrefix the topic prefix (e.g. {@code tributary.})
     * @param extraKafkaProperties extra client properties (security settings); may be empty
     * @param timeout bound for every Kafka operation
     */
    public DeviceRegistryClient(String bootstrapServers, String topicPrefix, Map<String, String> extraKafkaProperties,
            Duration timeout) {
        this.topics = RegistryTopics.forPrefix(topicPrefix);
        Map<String, Object> props = new LinkedHashMap<>(extraKafkaProperties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.kafkaProperties = Map.copyOf(props);
        this.timeout = timeout;
        this.hasher = new SecretHasher(new SecureRandom());
        this.clock = Clock.systemUTC();
        Map<String, Object> producerProps = new HashMap<>(kafkaProperties);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        int request = (int) Math.max(timeout.toMillis(), 2000);
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, request);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, request + 5);
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
    }

    public RegistryTopics topics() {
        return topics;
    }

    /** Creates the registry topics (compacted) unless they exist. */
    public void ensureTopics() {
        topics.ensureExist(kafkaProperties, timeout.toMillis());
    }

    /**
     * Adds an enabled device with a new random secret.
     *
     * @return the secret: shown once, stored nowhere but as a salted hash
     * @throws IllegalArgumentException for an invalid id
     * @throws IllegalStateException when the device exists already
     */
    public String provision(String deviceId) {
        return provisionAll(List.of(deviceId)).get(deviceId);
    }

    /**
     * Adds many enabled devices in one go (one registry read, pipelined writes).
     *
     * @return device id → secret, in the given order
     * @throws IllegalStateException when one of them exists already (then none is added)
     */
    public Map<String, String> provisionAll(Collection<String> deviceIds) {
        return provisionAll(deviceIds, Map.of());
    }

    /**
     * Adds many enabled devices in one go, with their labels (written to the metadata topic with the records).
     *
     * @param labels device id → its labels; a device absent here gets none
     * @return device id → secret, in the given order
     * @throws IllegalArgumentException for an invalid id or label (then none is added)
     * @throws IllegalStateException when one of them exists already (then none is added)
     */
    public Map<String, String> provisionAll(Collection<String> deviceIds, Map<String, Map<String, String>> labels) {
        List<DeviceLabels> metadata = new ArrayList<>();
        for (String id : deviceIds) {
            requireValid(id);
            Map<String, String> own = labels.getOrDefault(id, Map.of());
            if (!own.isEmpty()) {
                metadata.add(new DeviceLabels(id, own, clock.instant()));
            }
        }
        RegistryState state = read();
        for (String id : deviceIds) {
            if (state.device(id).isPresent()) {
                throw new IllegalStateException("device '" + id + "' exists already");
            }
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (String id : deviceIds) {
            String secret = hasher.newSecret();
            DeviceRecord record = new DeviceRecord(id, true, hasher.hash(secret), clock.instant());
            sends.add(producer.send(new ProducerRecord<>(topics.devices(), id, record.toJson())));
            secrets.put(id, secret);
        }
        metadata.forEach(m -> sends.add(producer.send(labelsRecord(m))));
        awaitAll(sends, "write " + deviceIds.size() + " device record(s)");
        return secrets;
    }

    /**
     * Changes a device's labels: {@code set} added or replaced, the keys of {@code unset} removed (a key it does not
     * have is ignored); the last label removed writes a tombstone. Running processors see it within a poll.
     *
     * @return the device's labels now
     * @throws IllegalArgumentException for an invalid id or label
     * @throws NoSuchElementException for an unknown device
     */
    public DeviceLabels label(String deviceId, Map<String, String> set, Set<String> unset) {
        requireValid(deviceId);
        set.forEach(DeviceLabels::check);
        existing(deviceId);
        DeviceLabels next = DeviceMetadataReader.read(kafkaProperties, topics.metadata(), timeout).labelsOf(deviceId)
                .with(set, unset, clock.instant());
        awaitAll(List.of(producer.send(labelsRecord(next))), "write the labels of '" + deviceId + "'");
        return next;
    }

    /** Every device's labels, by id; devices without labels are absent. */
    public Map<String, DeviceLabels> labels() {
        return DeviceMetadataReader.read(kafkaProperties, topics.metadata(), timeout).labels();
    }

    private ProducerRecord<String, byte[]> labelsRecord(DeviceLabels labels) {
        return new ProducerRecord<>(topics.metadata(), labels.deviceId(),
                labels.labels().isEmpty() ? null : labels.toJson());
    }

    /** Lets the device connect again. */
    public void enable(String deviceId) {
        setEnabled(deviceId, true);
    }

    /** Refuses the device's next CONNECT; gateways close its open connections. */
    public void disable(String deviceId) {
        setEnabled(deviceId, false);
    }

    private void setEnabled(String deviceId, boolean enabled) {
        DeviceRecord updated = existing(deviceId).withEnabled(enabled, clock.instant());
        awaitAll(List.of(producer.send(new ProducerRecord<>(topics.devices(), deviceId, updated.toJson()))),
                "update device '" + deviceId + "'");
    }

    /**
     * Sets the configuration pushed (retained) to the device on {@code devices/{id}/config}.
     *
     * @throws NoSuchElementException for an unknown device
     */
    public void setConfig(String deviceId, byte[] config) {
        existing(deviceId);
        awaitAll(List.of(producer.send(new ProducerRecord<>(topics.config(), deviceId, config.clone()))),
                "set the configuration of '" + deviceId + "'");
    }

    /** Every device, by id. */
    public List<DeviceRecord> list() {
        return read().devices();
    }

    public Optional<DeviceRecord> device(String deviceId) {
        return read().device(deviceId);
    }

    public Optional<byte[]> config(String deviceId) {
        return read().config(deviceId);
    }

    /** @throws NoSuchElementException for an unknown device */
    private DeviceRecord existing(String deviceId) {
        requireValid(deviceId);
        return read().device(deviceId).orElseThrow(() -> new NoSuchElementException("no device '" + deviceId + "'"));
    }

    private RegistryState read() {
        RegistryState state = new RegistryState(topics);
        RegistryListener quiet = new RegistryListener() { };
        RegistryTopics.readToEnd(kafkaProperties, "tributary-registry-client", List.of(topics.devices(),
                topics.config()), timeout, record -> state.apply(record, quiet));
        return state;
    }

    private void awaitAll(List<Future<RecordMetadata>> sends, String what) {
        producer.flush();
        long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(2);
        try {
            for (Future<RecordMetadata> send : sends) {
                send.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            throw new RegistryException("could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new RegistryException("could not " + what + " within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while trying to " + what, e);
        }
    }

    private static void requireValid(String deviceId) {
        if (!DeviceIds.isValid(deviceId)) {
            throw new IllegalArgumentException("invalid device id '" + deviceId + "': use 1.." + DeviceIds.MAX_LENGTH
                    + " of [A-Za-z0-9._:@-]");
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
