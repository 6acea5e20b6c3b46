package io.tributary.processor.writer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.processor.metrics.WriterMeters;

/**
 * A topic writer loop: poll a topic, map each record to points, write them to InfluxDB, and only then commit the
 * offsets. One per measurement (readings, rollups, alerts), built by {@code ProcessorParts}; the write, retry and probe
 * core is {@link WritePath}.
 *
 * <p>Delivery (DESIGN.md guarantees 1 and 2):
 * <ul>
 *   <li>Offsets of a record are committed only after InfluxDB accepted all its points, or after it was acknowledged by
 *       the dead-letter topic. Each poll is finished (written and committed) before the next poll, so a rebalance
 *       between polls never has anything unwritten to lose.</li>
 *   <li>A retryable failure (InfluxDB down, 5xx, 429, timeouts, wrong bucket or token) retries the same points with
 *       exponential backoff, forever, logging once per change of state. While waiting it keeps polling with all
 *       partitions paused, so the consumer stays in its group however long InfluxDB is away.</li>
 *   <li>A rejection (400/413/422) is first checked with a probe point (see {@code WritePath}): if InfluxDB accepts it, the
 *       chunk is split in halves down to single records, and a single record that is still rejected goes to the
 *       dead-letter topic, so one poisoned record cannot stall the pipeline; if the probe is rejected too, the write
 *       path is broken (an outage), nothing is dead-lettered and the chunk is retried like a transient failure, with
 *       the writer's metrics saying why (readiness false).</li>
 *   <li>A record the mapper cannot map (it throws) or that breaks the input contract is dead-lettered with its reason;
 *       no value ends the writer thread.</li>
 *   <li>Writes are idempotent (a point is measurement + tags + timestamp), so re-delivery after a crash stores
 *       nothing twice.</li>
 * </ul>
 *
 * <p>Runs on one thread ({@link #run()}); {@link #shutdown()} may be called from any thread. Owns and closes the
 * consumer, the point writer and the dead-letter publisher it is given.
 */
public final class InfluxTopicWriter implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(InfluxTopicWriter.class);

    /** Measurement of the probe points that prove the write path works (see {@code WritePath}). */
    public static final String PROBE_MEASUREMENT = "tributary_write_probe";

    private final String name;
    private final RecordMapper mapper;
    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final PointWriter pointWriter;
    private final DeadLetterPublisher deadLetters;
    private final Settings settings;
    private final WriterMeters metrics;
    private final WritePath writePath;

    private volatile boolean closing;

    // Touched only by the writer thread (rebalance callbacks run inside poll on it too).
    /** The poll being handled; null between polls. */
    private InFlight inFlight;

    /** Tuning of the loop. */
    public record Settings(int maxPointsPerWrite, Duration pollTimeout, Duration backoffInitial, Duration backoffMax,
            Duration consumerCloseTimeout) {
    }

    /** @param name how the log calls this writer (e.g. "Rollups writer"); also the probe points' {@code writer} tag */
    public InfluxTopicWriter(String name, RecordMapper mapper, Consumer<byte[], byte[]> consumer, String topic,
            PointWriter pointWriter, DeadLetterPublisher deadLetters, Settings settings, WriterMeters metrics,
            Clock clock) {
        this.name = name;
        this.mapper = mapper;
        this.consumer = consumer;
        this.topic = topic;
        this.pointWriter = pointWriter;
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.metrics = metrics;
        this.writePath = new WritePath(consumer, pointWriter, deadLetters, settings, metrics, clock, name,
                () -> closing);
    }

    /** Asks the loop to stop: the write in flight finishes (and is committed) or is abandoned (and is not). */
    public void shutdown() {
        closing = true;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic), new RebalanceListener());
            log.info("{} started [topic: {}]", name, topic);
            while (!closing) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(settings.pollTimeout());
                } catch (WakeupException e) {
                    continue; // shutdown() was called: the loop condition ends it
                }
                if (!records.isEmpty()) {
                    handle(records);
                }
            }
        } finally {
            closeQuietly();
        }
    }

    /** Writes and dead-letters the poll's records in order, then commits what is done. */
    private void handle(ConsumerRecords<byte[], byte[]> records) {
        InFlight poll = new InFlight();
        inFlight = poll;
        try {
            List<Pending> chunk = new ArrayList<>();
            int chunkPoints = 0;
            boolean complete = true;
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (closing) {
                    complete = false;
                    break;
                }
                metrics.recordsConsumed.increment();
                MappedRecord mapped = mapSafely(record);
                if (mapped instanceof MappedRecord.Rejected rejected) {
                    // Keep the order: everything before a dead-lettered record is written first.
                    if (!writePath.write(chunk, poll) || !writePath.deadLetter(record, rejected.deviceId(),
                            rejected.reason(), rejected.detail(), rejected.contractRule(), poll)) {
                        complete = false;
                        break;
                    }
                    if (rejected.contractViolation()) {
                        metrics.contractViolation(rejected.contractRule());
                    }
                    writePath.logDeadLetter(rejected.deviceId(), rejected.contractViolation() ? rejected.reason()
                            + "/" + rejected.contractRule() : rejected.reason(), record, rejected.detail());
                    chunk = new ArrayList<>();
                    chunkPoints = 0;
                    continue;
                }
                MappedRecord.Points mappedPoints = (MappedRecord.Points) mapped;
                chunk.add(new Pending(record, mappedPoints.deviceId(), mappedPoints.points()));
                chunkPoints += mappedPoints.points().size();
                if (chunkPoints >= settings.maxPointsPerWrite()) {
                    if (!writePath.write(chunk, poll)) {
                        complete = false;
                        break;
                    }
                    chunk = new ArrayList<>();
                    chunkPoints = 0;
                }
            }
            if (complete && !chunk.isEmpty() && !writePath.write(chunk, poll)) {
                complete = false;
            }
            if (!complete) {
                log.info("Writer stopping mid-poll: committing only the records finished so far; the rest stays "
                        + "uncommitted and is written on the next start [finished: {}]", poll.committable());
            }
            commit(poll.committable());
        } finally {
            inFlight = null;
            // Resume what the retry wait paused; a partition revoked meanwhile cannot be resumed (and needs not).
            Set<TopicPartition> paused = new HashSet<>(consumer.paused());
            paused.retainAll(consumer.assignment());
            if (!paused.isEmpty()) {
                consumer.resume(paused);
            }
        }
    }

    /** Maps a record; a mapper that throws (a value nobody foresaw) makes a dead letter, never a dead thread. */
    private MappedRecord mapSafely(ConsumerRecord<byte[], byte[]> record) {
        try {
            return mapper.map(record.key(), record.value());
        } catch (RuntimeException e) {
            String device = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
            return new MappedRecord.Rejected(device, DeadLetterReason.MAPPING_FAILED, e.toString());
        }
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        try {
            try {
                consumer.commitSync(offsets);
            } catch (WakeupException e) {
                // shutdown() woke us after the data was written: commit it all the same, then stop.
                consumer.commitSync(offsets);
            }
            metrics.offsetCommits.increment();
            log.debug("Committed offsets {}", offsets);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            log.warn("Offsets not committed: the partitions moved to another writer, which writes these readings "
                    + "again (idempotent, nothing is stored twice) [offsets: {}]: {}", offsets, e.getMessage());
        } catch (KafkaException e) {
            log.warn("Offsets not committed; the readings are stored and will be written again after a restart "
                    + "(idempotent) unless a later commit covers them [offsets: {}]", offsets, e);
        }
    }

    private void closeQuietly() {
        try {
            consumer.close(CloseOptions.timeout(settings.consumerCloseTimeout()));
        } catch (RuntimeException e) {
            log.warn("Closing the Kafka consumer failed", e);
        }
        try {
            deadLetters.close();
        } catch (RuntimeException e) {
            log.warn("Closing the dead-letter producer failed", e);
        }
        try {
            pointWriter.close();
        } catch (RuntimeException e) {
            log.warn("Closing the InfluxDB client failed", e);
        }
        log.info("{} stopped [{}]", name, metrics);
    }

    /**
     * Partitions move only inside poll(); between polls everything is committed, so there is nothing to do. During a
     * retry wait (polling with partitions paused) a poll is in flight: commit what of it is done for the partitions
     * leaving, forget the rest (the new owner writes it again), and keep new partitions paused until the poll is done.
     */
    private final class RebalanceListener implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (inFlight == null || partitions.isEmpty()) {
                log.info("Partitions revoked [partitions: {}]", partitions);
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> finished = inFlight.committable(partitions);
            inFlight.revoke(partitions);
            log.info("Partitions revoked while a write was in flight: committing the finished part, leaving the "
                    + "rest to the new owner [partitions: {}, committing: {}]", partitions, finished);
            commit(finished);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.warn("Partitions lost; their uncommitted readings will be written again by the new owner "
                    + "[partitions: {}]", partitions);
            if (inFlight != null) {
                inFlight.revoke(partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.info("Partitions assigned [partitions: {}]", partitions);
            if (inFlight != null && !partitions.isEmpty()) {
                // A partition revoked earlier in this poll stays "revoked" for it even if it comes back: its fetch
                // position restarts at the committed offset, so the next poll brings its unfinished records again.
                consumer.pause(partitions);
            }
        }
    }
}
