package io.tributary.contract.registry;

import io.tributary.contract.TopicReplication;
import io.tributary.contract.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The registry's two compacted Kafka topics: {@code {prefix}devices} (key = device id, value = {@link DeviceRecord}
 * JSON) and {@code {prefix}device-config} (key = device id, value = the configuration bytes pushed to the device on
 * {@code devices/{id}/config}).
 *
 * @param devices the device topic
 * @param config the configuration topic
 */
public record RegistryTopics(String devices, String config) {

    /** The registry's topics among the pipeline's. */
    public static RegistryTopics of(Topics topics) {
        return new RegistryTopics(topics.devices(), topics.deviceConfig());
    }

    /**
     * The topics for a topic prefix.
     *
     * @throws IllegalArgumentException for a prefix {@link Topics} refuses
     */
    public static RegistryTopics forPrefix(String prefix) {
        return of(new Topics(prefix));
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
     * Creates both topics (one partition, compacted, {@link TopicReplication}) unless they exist.
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
            List<String> missingNames = List.of(devices, config).stream().filter(t -> !existing.contains(t)).toList();
            if (missingNames.isEmpty()) {
                return;
            }
            TopicReplication replication = TopicReplication.of(admin, timeoutMillis);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : missingNames) {
                missing.add(replication.newTopic(topic, java.util.Optional.of(1),
                        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            }
            try {
                admin.createTopics(missing).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (ExecutionException e) {
            throw new RegistryException("could not create the registry topics " + devices + ", " + config + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new RegistryException("Kafka did not answer within " + timeoutMillis + " ms while checking the"
                    + " registry topics " + devices + ", " + config, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while checking the registry topics", e);
        }
    }
}
