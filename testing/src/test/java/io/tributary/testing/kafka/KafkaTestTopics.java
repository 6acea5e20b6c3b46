package io.tributary.testing.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tributary.proto.v1.ReadingBatch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads Kafka topics in tests: every record from the beginning to the end the topic had when reading started. */
public final class KafkaTestTopics {

    /** How long reading a topic to its end may take before the test fails. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    private KafkaTestTopics() {
    }

    /** Every record of {@code topic}, all partitions, read from the beginning to the current end. */
    public static List<ConsumerRecord<String, byte[]>> records(String bootstrap, String topic) {
        return records(bootstrap, topic, IsolationLevel.READ_UNCOMMITTED);
    }

    /** Every committed record of {@code topic} (as {@code read_committed} readers see a transactional topic). */
    public static List<ConsumerRecord<String, byte[]>> committedRecords(String bootstrap, String topic) {
        return records(bootstrap, topic, IsolationLevel.READ_COMMITTED);
    }

    private static List<ConsumerRecord<String, byte[]>> records(String bootstrap, String topic,
            IsolationLevel isolation) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.name().toLowerCase(Locale.ROOT));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(System.nanoTime() - deadline).as("reading %s to its end", topic).isNegative();
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
            return all;
        }
    }

    /** Every record of {@code topic} with key {@code key}, read from the beginning to the current end. */
    public static List<ConsumerRecord<String, byte[]>> records(String bootstrap, String topic, String key) {
        return records(bootstrap, topic).stream().filter(r -> key.equals(r.key())).toList();
    }

    /** The batches of {@code topic} with key {@code key}, in the order read. */
    public static List<ReadingBatch> batches(String bootstrap, String topic, String key) {
        return records(bootstrap, topic, key).stream().map(r -> parse(r.value())).toList();
    }

    /** The batch sequence numbers of {@code topic} with key {@code key}, each once. */
    public static SortedSet<Long> batchSeqs(String bootstrap, String topic, String key) {
        SortedSet<Long> seqs = new TreeSet<>();
        batches(bootstrap, topic, key).forEach(b -> seqs.add(b.getBatchSeq()));
        return seqs;
    }

    /**
     * Waits until {@code topic} holds at least {@code expected} records, reading from the beginning, then reads half a
     * second more so that extras (a duplicate) show in the caller's size assertion. Keys and values as bytes.
     *
     * @param readCommitted whether to skip records of aborted transactions (read_committed)
     * @return the records in the order read, a list the caller may sort
     */
    public static List<ConsumerRecord<byte[], byte[]>> awaitRecords(String bootstrap, String topic, int expected,
            Duration timeout, boolean readCommitted) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expected) {
                assertThat(System.nanoTime() - deadline).as("%s records on %s within %s, got %s", expected, topic,
                        timeout, records.size()).isNegative();
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }

    /** The value of a header of a record read, or null. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        return header(record.headers(), name);
    }

    /** The value of a header of a record to send, or null. */
    public static String header(ProducerRecord<?, ?> record, String name) {
        return header(record.headers(), name);
    }

    private static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** {@code value} as a batch; a record that is none fails the test. */
    public static ReadingBatch parse(byte[] value) {
        try {
            return ReadingBatch.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a ReadingBatch", e);
        }
    }
}
