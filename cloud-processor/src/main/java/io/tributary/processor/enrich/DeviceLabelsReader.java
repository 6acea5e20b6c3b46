package io.tributary.processor.enrich;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The readings writers' copy of the device labels: reads the whole {@code device-metadata} topic from its start and
 * then follows it, on its own thread, into a map the writers read lock-free.
 *
 * <p>Why not the Streams app's global store (interactive queries, same JVM)? Readings are written whether or not
 * Streams runs, and whatever state it is in (restoring, rebalancing, failed); a store there is queryable only while
 * Streams is RUNNING, so the writers would need this reader anyway when Streams is off or not yet up, and would store
 * a labelled device's readings without its tags while Streams restores. This reader is one path for every case: the
 * writers wait (bounded) until it has read the topic up to where it ended at start ({@link #awaitLoaded}), and a
 * lookup is one {@code ConcurrentHashMap} get of an already decoded map (a store lookup decodes on every get). Its
 * price is a second in-memory copy of the labels (a few hundred bytes per labelled device) and one consumer without a
 * group. It runs only when {@code enrichment.tags} is set: otherwise the readings need no labels.
 *
 * <p>It reads the partitions the topic has when it starts (the processor creates the topic with one; more added later
 * are not read until a restart). An invalid record is counted and skipped; the device keeps its labels.
 */
public final class DeviceLabelsReader implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DeviceLabelsReader.class);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration pollTimeout;
    private final Map<String, Map<String, String>> labels = new ConcurrentHashMap<>();
    private final LongAdder invalid = new LongAdder();
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;

    public DeviceLabelsReader(Consumer<byte[], byte[]> consumer, String topic, Duration pollTimeout) {
        this.consumer = consumer;
        this.topic = topic;
        this.pollTimeout = pollTimeout;
    }

    /** The device's labels, empty if it has none (or they are not read yet). Thread-safe. */
    public Map<String, String> labelsOf(String device) {
        return labels.getOrDefault(device, Map.of());
    }

    /** Invalid metadata records skipped so far. */
    public long invalidRecords() {
        return invalid.sum();
    }

    /**
     * Waits until the topic is read up to where it ended at start (or the reader stops), at most {@code timeout}.
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitLoaded(Duration timeout) throws InterruptedException {
        return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops {@link #run()}; callable from any thread. */
    public void shutdown() {
        closing = true;
        loaded.countDown();
        stopped.countDown();
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            log.info("Device labels reader started [topic: {}, partitions: {}]", topic, partitions.size());
            while (!closing) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(pollTimeout)) {
                    apply(record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                            record.value());
                }
                if (loaded.getCount() > 0 && end.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    log.info("Device labels loaded [devices: {}]", labels.size());
                    loaded.countDown();
                }
            }
        } catch (WakeupException e) {
            if (!closing) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /**
     * The topic's partitions, waiting while it does not exist yet (labels are loaded then: there are none); none if
     * the reader stops first.
     */
    private List<TopicPartition> partitions() throws InterruptedException {
        while (!closing) {
            List<PartitionInfo> info = consumer.partitionsFor(topic);
            if (info != null && !info.isEmpty()) {
                return info.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            if (loaded.getCount() > 0) {
                log.info("Device metadata topic does not exist (yet): no device has labels [topic: {}]", topic);
                loaded.countDown();
            }
            stopped.await(pollTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return List.of();
    }

    /** One metadata record: labels replaced, removed (tombstone), or the record skipped if invalid. */
    void apply(String device, byte[] value) {
        if (device != null && value == null) {
            labels.remove(device);
            return;
        }
        try {
            labels.put(device, Labels.read(device, value));
        } catch (IllegalArgumentException e) {
            invalid.increment();
            log.warn("Invalid device metadata record skipped; the device keeps its labels [device: {}]: {}", device,
                    e.getMessage());
        }
    }
}
