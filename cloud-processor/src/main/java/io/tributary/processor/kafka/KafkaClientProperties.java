package io.tributary.processor.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

import io.tributary.processor.config.ProcessorConfig;

/**
 * The Kafka client settings of the processor's writers, dead-letter producers and Streams, from its config: the
 * client properties ({@link ProcessorConfig#kafkaClient()}, e.g. security) first, the processor's own settings over them.
 */
public final class KafkaClientProperties {

    /**
     * Each fetch waits for 64 KiB or 100 ms instead of returning as soon as one record arrived. With the default of
     * one byte, the writers fetched again after every produce request of the gateway (hundreds of fetches a second,
     * each a broker request and a small InfluxDB write); measured at 25,000 readings/s on 2 cores, this cut the
     * processor from 0.38 to 0.25 cores and the broker from 0.52 to 0.39. Overridable (consumer overrides).
     */
    static final Map<String, String> FETCH_DEFAULTS = Map.of(
            ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536",
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");

    /** Kafka consumer settings the writer's guarantees depend on: overrides cannot change them. */
    private static final Map<String, String> FIXED_CONSUMER_SETTINGS = Map.of(
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");

    private KafkaClientProperties() {
    }

    public static Properties consumer(ProcessorConfig config, String group) {
        Properties props = new Properties();
        props.putAll(config.kafkaClient().clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-consumer");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.putAll(FETCH_DEFAULTS);
        props.putAll(config.consumerOverrides());
        props.putAll(FIXED_CONSUMER_SETTINGS);
        return props;
    }

    /**
     * The device labels reader's consumer: no group membership (it assigns itself), every record fetched at once (a
     * label change is to reach the writers within milliseconds), and no topic auto-created (it must be compacted).
     */
    public static Properties metadataConsumer(ProcessorConfig config) {
        Properties props = consumer(config, config.consumerGroup() + "-metadata");
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return props;
    }

    /** A dead-letter producer: idempotent, acks=all, no linger, bounded by the InfluxDB request timeout. */
    public static Properties producer(ProcessorConfig config, String clientId) {
        Properties props = new Properties();
        props.putAll(config.kafkaClient().clientProperties());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(config.influxRequestTimeout().toMillis()));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(config.influxRequestTimeout().toMillis()));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                Long.toString(config.influxRequestTimeout().multipliedBy(2).toMillis()));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /**
     * What the Streams properties take from this config, over {@code StreamsEngine}'s own settings: the
     * group-membership timeouts of the consumer overrides, and the producer's compression.
     */
    public static Map<String, String> streamsOverrides(ProcessorConfig config) {
        Map<String, String> overrides = new HashMap<>();
        for (String key : List.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)) {
            String value = config.consumerOverrides().get(key);
            if (value != null) {
                overrides.put(StreamsConfig.consumerPrefix(key), value);
            }
        }
        overrides.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG),
                config.analytics().streamsCompression());
        return overrides;
    }
}
