package io.tributary.testing.kafka;

import io.tributary.proto.v1.ReadingBatch;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka producers for tests that write what a gateway would: byte keys and values, acks=all. */
public final class TestProducers {

    private TestProducers() {
    }

    /** A producer of byte keys and values with acks=all. */
    public static KafkaProducer<byte[], byte[]> bytes(String bootstrap) {
        return bytes(bootstrap, Map.of());
    }

    /** As {@link #bytes(String)}, with {@code overrides} (producer settings) on top. */
    public static KafkaProducer<byte[], byte[]> bytes(String bootstrap, Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(overrides);
        return new KafkaProducer<>(p);
    }

    /** Sends {@code batch} to {@code topic} keyed by its device id, as the gateway does; the caller waits or not. */
    public static Future<RecordMetadata> send(KafkaProducer<byte[], byte[]> producer, String topic,
            ReadingBatch batch) {
        return producer.send(new ProducerRecord<>(topic, batch.getDeviceId().getBytes(StandardCharsets.UTF_8),
                batch.toByteArray()));
    }
}
