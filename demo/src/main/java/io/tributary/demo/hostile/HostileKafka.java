package io.tributary.demo.hostile;

import io.tributary.common.KafkaClientConfig;
import io.tributary.contract.registry.DeviceRegistryClient;
import io.tributary.simulator.provision.FleetProvisioner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The suite's own hands on Kafka, as an operator's or an attacker's: the device registry (provisioning, device
 * configuration), records written straight into a topic, and the dead letters read back.
 */
public final class HostileKafka implements AutoCloseable {

    private static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClientConfig kafka;
    private final String prefix;
    private final FleetProvisioner provisioner;
    private final KafkaProducer<String, byte[]> producer;

    HostileKafka(KafkaClientConfig kafka, String prefix) {
        this.kafka = kafka;
        this.prefix = prefix;
        this.provisioner = FleetProvisioner.connect(kafka.bootstrap(), prefix, kafka.properties(), REGISTRY_TIMEOUT);
        Properties props = new Properties();
        props.putAll(kafka.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Registers devices with fresh secrets, as an operator does; returns each one's password. */
    public Map<String, byte[]> provision(List<String> deviceIds) throws InterruptedException {
        return provisioner.provision(deviceIds);
    }

    /** Stores a device's configuration, as an operator does with {@code ./tributary devices config ID FILE}. */
    public void setDeviceConfig(String deviceId, byte[] config) {
        try (DeviceRegistryClient registry = new DeviceRegistryClient(kafka.bootstrap(), prefix, kafka.properties(),
                REGISTRY_TIMEOUT)) {
            registry.setConfig(deviceId, config);
        }
    }

    /** Writes {@code value} under {@code key} to {@code topic} (full name), waiting for the ack. */
    public void produce(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not write to " + topic, e);
        }
    }

    /** Every record on {@code topic} so far (it is read until four polls in a row bring nothing, 15 s at most). */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties props = new Properties();
        props.putAll(kafka.clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "hostile-dlq-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            int emptyPolls = 0;
            while (System.nanoTime() < deadline && emptyPolls < 4) {
                int before = records.size();
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                emptyPolls = records.size() == before && !consumer.assignment().isEmpty() ? emptyPolls + 1 : 0;
            }
        }
        return records;
    }

    /** A record's header as text; null without it. */
    public static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
        provisioner.close();
    }
}
