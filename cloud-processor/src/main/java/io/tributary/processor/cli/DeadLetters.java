package io.tributary.processor.cli;

import io.tributary.common.KafkaClientConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.tributary.common.Json;
import io.tributary.common.Durations;
import io.tributary.contract.Topics;
import io.tributary.processor.writer.KafkaDeadLetterPublisher;

/**
 * Reads the dead-letter topic and replays chosen dead letters to the topic they came from. Used by
 * {@link DeadLetterMain}; a library so tests drive it against a real broker.
 *
 * <p>Dead letters come from the gateway (refused before Kafka: headers {@code tributary.reason},
 * {@code tributary.reason-detail}, {@code tributary.device}, {@code tributary.mqtt-topic}) and from the processor
 * (the same, plus {@code tributary.source-topic|partition|offset} and {@code tributary.deadlettered-by}). Only a dead
 * letter with a source topic can be replayed: a gateway dead letter never reached a topic (its device still has it,
 * or counted it as dropped).
 *
 * <p><b>At most once.</b> A replay sends the record to its source topic and, <em>in the same Kafka transaction</em>,
 * a marker to {@code <deadletter topic>-replayed} (compacted; key = {@code partition/offset} of the dead letter). A
 * dead letter with a marker is never replayed again; a replay that fails half-way aborts its transaction, leaving
 * neither the record nor the marker. Run one replay at a time (a second one started concurrently is fenced off by
 * the shared transactional id, but may have read the markers before the first committed).
 */
public final class DeadLetters {

    /** Header added to a replayed record: {@code <deadletter topic>/<partition>/<offset>}. */
    public static final String HEADER_REPLAYED_FROM = "tributary.replayed-from";

    public record DeadLetter(int partition, long offset, Instant time, String reason, String contractRule,
            String detail, String device, String origin, Optional<String> sourceTopic,
            Optional<Integer> sourcePartition, byte[] key, byte[] value, List<Header> headers) {

        /** The marker key: {@code partition/offset} in the dead-letter topic. */
        public String id() {
            return partition + "/" + offset;
        }

        /** Whether {@code name} is this dead letter's reason or, for a contract violation, its rule. */
        public boolean hasReason(String name) {
            return reason.equals(name) || contractRule.equals(name);
        }

        /** {@code reason}, or {@code contract-violation/<rule>}. */
        public String reasonAndRule() {
            return contractRule.isEmpty() ? reason : reason + "/" + contractRule;
        }
    }

    public record ReplayResult(int replayed, int alreadyReplayed, int notReplayable, Map<String, Integer> toTopics) {
    }

    private final KafkaClientConfig kafka;
    private final String topic;
    private final String replayedTopic;
    private final Duration timeout;

    public DeadLetters(KafkaClientConfig kafka, String deadLetterTopic, Duration timeout) {
        this.kafka = kafka;
        this.topic = deadLetterTopic;
        this.replayedTopic = Topics.replayedMarkerOf(deadLetterTopic);
        this.timeout = timeout;
    }

    /** Every dead letter present now (up to the end offsets at the call), in partition and offset order. */
    public List<DeadLetter> read() {
        return readToEnd(topic).stream().map(this::toDeadLetter).toList();
    }

    /** The ids ({@code partition/offset}) of the dead letters replayed so far. */
    public Set<String> replayedIds() {
        if (!topicExists(replayedTopic)) {
            return Set.of();
        }
        return readToEnd(replayedTopic).stream().filter(r -> r.key() != null && r.value() != null)
                .map(r -> new String(r.key(), StandardCharsets.UTF_8)).collect(Collectors.toSet());
    }

    /** Counts by reason (a contract violation as {@code contract-violation/<rule>}) and, within it, by origin. */
    public Map<String, Map<String, Integer>> countsByReason() {
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        read().forEach(d -> counts.computeIfAbsent(d.reasonAndRule(), r -> new TreeMap<>()).merge(d.origin(), 1,
                Integer::sum));
        return counts;
    }

    /**
     * Replays every dead letter that {@code selected} accepts, has a source topic and was not replayed before.
     *
     * @param dryRun count only, send nothing
     */
    public ReplayResult replay(Predicate<DeadLetter> selected, boolean dryRun) {
        Set<String> done = replayedIds();
        Map<Boolean, List<DeadLetter>> byDone = read().stream().filter(selected)
                .collect(Collectors.partitioningBy(d -> done.contains(d.id())));
        List<DeadLetter> chosen = byDone.get(false).stream().filter(d -> d.sourceTopic().isPresent()).toList();
        int already = byDone.get(true).size();
        int notReplayable = byDone.get(false).size() - chosen.size();
        Map<String, Integer> toTopics = new TreeMap<>();
        chosen.forEach(d -> toTopics.merge(d.sourceTopic().orElseThrow(), 1, Integer::sum));
        if (dryRun || chosen.isEmpty()) {
            return new ReplayResult(dryRun ? 0 : chosen.size(), already, notReplayable, toTopics);
        }
        ensureReplayedTopic();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
            producer.initTransactions();
            int batch = 500;
            for (int from = 0; from < chosen.size(); from += batch) {
                producer.beginTransaction();
                try {
                    for (DeadLetter d : chosen.subList(from, Math.min(chosen.size(), from + batch))) {
                        producer.send(replayRecord(d));
                        producer.send(new ProducerRecord<>(replayedTopic, d.id().getBytes(StandardCharsets.UTF_8),
                                replayMarker(d).getBytes(StandardCharsets.UTF_8)));
                    }
                    producer.commitTransaction();
                } catch (RuntimeException e) {
                    try {
                        producer.abortTransaction();
                    } catch (RuntimeException ignored) {
                        // fenced or closed: the transaction is aborted by the broker
                    }
                    throw e;
                }
            }
        }
        return new ReplayResult(chosen.size(), already, notReplayable, toTopics);
    }

    /** The marker's value: when, to which topic, and why the record was dead-lettered. */
    private static String replayMarker(DeadLetter d) {
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("replayed_at", Instant.now().toString());
        marker.put("to", d.sourceTopic().get());
        marker.put("reason", d.reasonAndRule());
        return Json.write(marker);
    }

    /** The original record again: same key, value and MQTT topic header, plus where it was replayed from. */
    private ProducerRecord<byte[], byte[]> replayRecord(DeadLetter d) {
        RecordHeaders headers = new RecordHeaders();
        d.headers().stream().filter(h -> h.key().equals(KafkaDeadLetterPublisher.HEADER_MQTT_TOPIC))
                .forEach(headers::add);
        headers.add(HEADER_REPLAYED_FROM, (topic + "/" + d.id()).getBytes(StandardCharsets.UTF_8));
        // Keyed records land where the key hashes (the device's partition, as before); unkeyed ones go back to the
        // partition they came from.
        Integer partition = d.key() == null ? d.sourcePartition().orElse(null) : null;
        return new ProducerRecord<>(d.sourceTopic().get(), partition, d.key(), d.value(), headers);
    }

    private DeadLetter toDeadLetter(ConsumerRecord<byte[], byte[]> r) {
        List<Header> headers = new ArrayList<>();
        r.headers().forEach(headers::add);
        Optional<String> sourcePartition = header(r, KafkaDeadLetterPublisher.HEADER_SOURCE_PARTITION);
        Optional<Integer> partition = Optional.empty();
        try {
            partition = sourcePartition.map(Integer::parseInt);
        } catch (NumberFormatException e) {
            // a hand-made dead letter: replay by key only
        }
        return new DeadLetter(r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()),
                header(r, KafkaDeadLetterPublisher.HEADER_REASON).orElse("(none)"),
                header(r, KafkaDeadLetterPublisher.HEADER_CONTRACT_RULE).orElse(""),
                header(r, KafkaDeadLetterPublisher.HEADER_REASON_DETAIL).orElse(""),
                header(r, KafkaDeadLetterPublisher.HEADER_DEVICE).orElse(r.key() == null ? ""
                        : new String(r.key(), StandardCharsets.UTF_8)),
                header(r, KafkaDeadLetterPublisher.HEADER_DEADLETTERED_BY)
                        .orElse(header(r, KafkaDeadLetterPublisher.HEADER_SOURCE_TOPIC).isPresent() ? "processor"
                                : "gateway"),
                header(r, KafkaDeadLetterPublisher.HEADER_SOURCE_TOPIC), partition, r.key(), r.value(),
                List.copyOf(headers));
    }

    private static Optional<String> header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? Optional.empty()
                : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    /** Every committed record of a topic, from the beginning to the end offsets seen at the start. */
    private List<ConsumerRecord<byte[], byte[]>> readToEnd(String name) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
            List<TopicPartition> partitions = consumer.partitionsFor(name, timeout).stream()
                    .map(p -> new TopicPartition(name, p.partition())).toList();
            if (partitions.isEmpty()) {
                return records;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new LinkedHashMap<>(consumer.endOffsets(partitions, timeout));
            long deadline = System.nanoTime() + timeout.toNanos() * 10;
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), timeout) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + name + " took too long; read " + records.size()
                            + " records");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        records.add(r);
                    }
                }
            }
        }
        records.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                .thenComparingLong(ConsumerRecord::offset));
        return records;
    }

    private boolean topicExists(String name) {
        try (Admin admin = Admin.create(adminProperties())) {
            return await(admin.listTopics().names(), "Kafka at " + kafka.bootstrap() + " did not answer within "
                    + Durations.format(timeout) + " (is it running and reachable?)").contains(name);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka at " + kafka.bootstrap() + " could not list its topics: "
                    + e.getCause().getMessage(), e);
        }
    }

    private void ensureReplayedTopic() {
        try (Admin admin = Admin.create(adminProperties())) {
            await(admin.createTopics(List.of(new NewTopic(replayedTopic, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))).all(),
                    "creating " + replayedTopic + " timed out");
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + replayedTopic + ": " + e.getCause(), e);
            }
        }
    }

    /** Waits for an admin call at most the timeout; what Kafka failed with is the ExecutionException's cause. */
    private <T> T await(KafkaFuture<T> future, String timedOut) throws ExecutionException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(timedOut, e);
        } catch (ExecutionException e) {
            // The admin client's own API timeout equals ours: whichever fires first, the answer is the same.
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new IllegalStateException(timedOut, e.getCause());
            }
            throw e;
        }
    }

    private Properties adminProperties() {
        Properties p = new Properties();
        p.putAll(kafka.clientProperties());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        // The admin client refuses an API timeout below its request timeout (30 s by default).
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        return p;
    }

    private Properties consumerProperties() {
        Properties p = new Properties();
        p.putAll(kafka.clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        return p;
    }

    private Properties producerProperties() {
        Properties p = new Properties();
        p.putAll(kafka.clientProperties());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tributary-deadletter-replay-" + topic);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }
}
