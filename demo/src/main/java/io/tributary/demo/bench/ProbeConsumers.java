package io.tributary.demo.bench;

import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.ReadingBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probe's two Kafka watchers, each on its own thread while {@code listening}: its batches arriving on the
 * telemetry topic, and its alert transitions on the alerts topic ({@code read_committed}, as Streams writes them
 * exactly once). Both start at the end of their partitions.
 */
record ProbeConsumers(Probe.Target target, String deviceId, BooleanSupplier listening) {

    private static final Logger LOG = LoggerFactory.getLogger(ProbeConsumers.class);

    /** Reads only the probe's partition: the gateway keys telemetry by device id with Kafka's default partitioner. */
    void watchTelemetry(LatencyHop kafka) {
        byte[] key = deviceId.getBytes(StandardCharsets.UTF_8);
        watch("read_uncommitted", target.telemetryTopic(), count -> List.of(partitionForKey(key, count)), record -> {
            long arrived = System.nanoTime();
            if (Arrays.equals(key, record.key())) {
                try {
                    ReadingBatch batch = ReadingBatch.parseFrom(record.value());
                    kafka.arrived(batch.getReadings(0).getEventTimeUnixNanos(), arrived);
                } catch (IOException | IndexOutOfBoundsException e) {
                    // not a probe batch
                }
            }
        });
    }

    /** Kafka's default partitioner for a keyed record: murmur2 of the key bytes. */
    static int partitionForKey(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    /** The probe's transitions of {@code rule}, matched by their transition time (the reading's event time). */
    void watchAlerts(String rule, LatencyHop alert) {
        watch("read_committed", target.alertsTopic(), count -> IntStream.range(0, count).boxed().toList(), record -> {
            long arrived = System.nanoTime();
            try {
                AlertEvent event = AlertEvent.parseFrom(record.value());
                if (event.getDeviceId().equals(deviceId) && event.getRule().equals(rule)) {
                    alert.arrived(event.getTransitionTimeUnixNanos(), arrived);
                }
            } catch (IOException e) {
                // not an alert event
            }
        });
    }

    /** Hands every record of the {@code chosen} partitions (by partition count) to {@code onRecord}, from their end. */
    private void watch(String isolation, String topic, IntFunction<List<Integer>> chosen,
            Consumer<ConsumerRecord<byte[], byte[]>> onRecord) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
            List<PartitionInfo> partitions = awaitPartitions(consumer, topic);
            if (partitions.isEmpty()) {
                return;
            }
            List<TopicPartition> mine = chosen.apply(partitions.size()).stream()
                    .map(partition -> new TopicPartition(topic, partition)).toList();
            consumer.assign(mine);
            consumer.seekToEnd(mine);
            mine.forEach(consumer::position);
            while (listening.getAsBoolean()) {
                consumer.poll(Duration.ofMillis(20)).forEach(onRecord);
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        Properties p = new Properties();
        p.putAll(target.kafka().clientProperties());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tributary-bench-probe");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    private List<PartitionInfo> awaitPartitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (listening.getAsBoolean() && System.nanoTime() < deadline) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic);
            if (partitions != null && !partitions.isEmpty()) {
                return partitions;
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        LOG.warn("Topic {} has no partitions: the probe cannot watch it", topic);
        return List.of();
    }
}
