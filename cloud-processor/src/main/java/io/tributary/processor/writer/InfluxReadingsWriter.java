package io.tributary.processor.writer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

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

import io.tributary.processor.metrics.AtomicProcessorMetrics;

/**
 * The readings writer loop: poll telemetry, write every reading to InfluxDB, and only then commit the offsets.
 *
 * <p>Delivery (DESIGN.md guarantees 1 and 2):
 * <ul>
 *   <li>Offsets of a record are committed only after InfluxDB accepted all its points, or after it was acknowledged by
 *       the dead-letter topic. Each poll is finished (written and committed) before the next poll, so a rebalance
 *       between polls never has anything unwritten to lose.</li>
 *   <li>A retryable failure (InfluxDB down, 5xx, 429, timeouts, wrong bucket or token) retries the same points with
 *       exponential backoff, forever, logging once per change of state. While waiting it keeps polling with all
 *       partitions paused, so the consumer stays in its group however long InfluxDB is away.</li>
 *   <li>A rejection (400/413/422) is first checked with a probe point ({@link #probe()}): if InfluxDB accepts it, the
 *       chunk is split in halves down to single records, and a single record that is still rejected goes to the
 *       dead-letter topic, so one poisoned record cannot stall the pipeline; if the probe is rejected too, the write
 *       path is broken (an outage), nothing is dead-lettered and the chunk is retried like a transient failure, with
 *       {@link #outage()} saying why (readiness false).</li>
 *   <li>A record the mapper cannot map (it throws) or that breaks the input contract is dead-lettered with its reason;
 *       no value ends the writer thread.</li>
 *   <li>Writes are idempotent (a point is measurement + tags + timestamp), so re-delivery after a crash stores
 *       nothing twice.</li>
 * </ul>
 *
 * <p>Runs on one thread ({@link #run()}); {@link #shutdown()} may be called from any thread. Owns and closes the
 * consumer, the point writer and the dead-letter publisher it is given.
 */
public final class InfluxReadingsWriter implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(InfluxReadingsWriter.class);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final PointWriter pointWriter;
    private final DeadLetterPublisher deadLetters;
    private final Settings settings;
    private final AtomicProcessorMetrics metrics;
    private final Clock clock;
    private final RecordMapper mapper;
    private final String name;
    private final WriteFailureClassifier classifier = new WriteFailureClassifier();
    private final FailureLog influxHealth = new FailureLog("InfluxDB write");
    private final FailureLog deadLetterHealth = new FailureLog("dead-letter send");

    private volatile boolean closing;

    /** Measurement of the probe points that prove the write path works (see {@link #probe()}). */
    public static final String PROBE_MEASUREMENT = "tributary_write_probe";
    private final String probeTag;
    private long deadLettersLogged;

    // Touched only by the writer thread (rebalance callbacks run inside poll on it too).
    /** The poll being handled; null between polls. */
    private InFlight inFlight;

    /**
     * Tuning of the loop.
     *
     * @param maxPointsPerWrite the most points in one write request
     * @param pollTimeout the longest one poll blocks
     * @param backoffInitial first retry wait
     * @param backoffMax retry wait cap
     * @param consumerCloseTimeout how long closing the consumer may take
     */
    public record Settings(int maxPointsPerWrite, Duration pollTimeout, Duration backoffInitial, Duration backoffMax,
            Duration consumerCloseTimeout) {
    }

    public InfluxReadingsWriter(Consumer<byte[], byte[]> consumer, String topic, PointWriter pointWriter,
            DeadLetterPublisher deadLetters, Settings settings, AtomicProcessorMetrics metrics, Clock clock) {
        this("Readings writer", new ReadingPointMapper()::map, consumer, topic, pointWriter, deadLetters, settings,
                metrics, clock);
    }

    /**
     * The same loop for any topic whose records map to points: the rollups and alerts writers use it with
     * {@link RollupPointMapper} and {@link AlertPointMapper}.
     *
     * @param name how the log calls this writer (e.g. "Rollups writer")
     * @param mapper turns one record into points or a dead-letter reason; pure
     */
    public InfluxReadingsWriter(String name, RecordMapper mapper, Consumer<byte[], byte[]> consumer, String topic,
            PointWriter pointWriter, DeadLetterPublisher deadLetters, Settings settings, AtomicProcessorMetrics metrics,
            Clock clock) {
        this.name = name;
        this.mapper = mapper;
        this.consumer = consumer;
        this.topic = topic;
        this.pointWriter = pointWriter;
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
        this.probeTag = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
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
                metrics.incrementRecordsConsumed();
                MappedRecord mapped = mapSafely(record);
                if (mapped instanceof MappedRecord.Rejected rejected) {
                    // Keep the order: everything before a dead-lettered record is written first.
                    if (!writeWithRetry(chunk) || !deadLetterWithRetry(record, rejected.deviceId(),
                            rejected.reason(), rejected.detail(), rejected.contractRule())) {
                        complete = false;
                        break;
                    }
                    if (rejected.contractViolation()) {
                        metrics.incrementContractViolations(rejected.contractRule());
                    }
                    logDeadLetter(rejected.deviceId(), rejected.contractViolation() ? rejected.reason() + "/"
                            + rejected.contractRule() : rejected.reason(), record, rejected.detail());
                    chunk = new ArrayList<>();
                    chunkPoints = 0;
                    continue;
                }
                MappedRecord.Points mappedPoints = (MappedRecord.Points) mapped;
                chunk.add(new Pending(record, mappedPoints.deviceId(), mappedPoints.points()));
                chunkPoints += mappedPoints.points().size();
                if (chunkPoints >= settings.maxPointsPerWrite()) {
                    if (!writeWithRetry(chunk)) {
                        complete = false;
                        break;
                    }
                    chunk = new ArrayList<>();
                    chunkPoints = 0;
                }
            }
            if (complete && !chunk.isEmpty() && !writeWithRetry(chunk)) {
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

    /**
     * Writes the records' points until InfluxDB accepted them (returns true, records marked done) or the writer is
     * closing (returns false). A rejected chunk is split down to single records; a rejected single record is
     * dead-lettered.
     */
    private boolean writeWithRetry(List<Pending> chunk) {
        Backoff backoff = new Backoff(settings.backoffInitial(), settings.backoffMax());
        while (true) {
            List<Pending> owned = inFlight.owned(chunk);
            if (owned.isEmpty()) {
                metrics.setOutage(null); // nothing of ours left to write: what is known of the path is stale
                return true; // revoked while we waited: the new owner writes them
            }
            if (closing) {
                return false;
            }
            try {
                writeAll(owned);
            } catch (RuntimeException e) {
                WriteFailure failure = classifier.classify(e);
                if (failure == WriteFailure.REJECTED) {
                    metrics.incrementPermanentWriteFailures();
                    // Poison or outage? Only a write path proven to work makes a rejection the data's fault.
                    RuntimeException probeFailure = probe();
                    if (probeFailure == null) {
                        writePathUp();
                        return handleRejection(owned, e);
                    }
                    metrics.incrementOutageRetries("rejected_wholesale");
                    writePathDown("InfluxDB (or a proxy in front of it) rejects every write, even a probe point: "
                            + WriteFailureClassifier.describe(e) + "; probe: "
                            + WriteFailureClassifier.describe(probeFailure), failure, e, owned.size());
                } else {
                    metrics.incrementRetryableWriteFailures();
                    metrics.incrementOutageRetries(failure.name().toLowerCase(java.util.Locale.ROOT));
                    writePathDown("InfluxDB write failing (" + failure.name().toLowerCase(java.util.Locale.ROOT)
                            + "): " + WriteFailureClassifier.describe(e), failure, e, owned.size());
                }
                if (!waitBeforeRetry(backoff.nextDelay())) {
                    return false;
                }
                continue;
            }
            writePathUp();
            for (Pending pending : owned) {
                metrics.addReadingsWritten(pending.points().size());
                inFlight.done(pending.record());
            }
            return true;
        }
    }

    private boolean handleRejection(List<Pending> rejectedChunk, RuntimeException e) {
        if (rejectedChunk.size() > 1) {
            log.debug("InfluxDB rejected a chunk of {} records, splitting it to find the offending ones: {}",
                    rejectedChunk.size(), WriteFailureClassifier.describe(e));
            int half = rejectedChunk.size() / 2;
            return writeWithRetry(rejectedChunk.subList(0, half))
                    && writeWithRetry(rejectedChunk.subList(half, rejectedChunk.size()));
        }
        // Rejected alone, and InfluxDB accepted a probe point right after: the path works, the record is poison.
        Pending pending = rejectedChunk.get(0);
        String detail = WriteFailureClassifier.describe(e);
        if (!deadLetterWithRetry(pending.record(), pending.deviceId(), DeadLetterReason.INFLUX_REJECTED, detail,
                null)) {
            return false;
        }
        logDeadLetter(pending.deviceId(), DeadLetterReason.INFLUX_REJECTED, pending.record(), detail);
        return true;
    }

    /**
     * Writes one probe point (measurement {@value #PROBE_MEASUREMENT}, tag {@code writer}, integer field {@code ok},
     * time = now) through the same client, URL and bucket as the data.
     *
     * <p>The rule that tells poison from an outage: a record is dead-lettered only when InfluxDB rejected it (alone,
     * after splitting) <em>and then accepted a probe point</em>. A rejection followed by an accepted probe is about
     * the data (a field type conflict, a point InfluxDB refuses); a rejection whose probe fails too is about the path
     * (a proxy that mangles bodies, a server answering 400 to everything), and nothing is dead-lettered: the writer
     * retries the same records with backoff, commits nothing and reports not ready until writes succeed again. A
     * sibling accepted in the same split would prove the path as well, but a poll may hold a single record, and the
     * path may break between two requests; the probe is asked right after each rejection. It costs one small write per
     * rejection, and rejections are rare.
     *
     * @return null if InfluxDB accepted the probe, else the failure
     */
    private RuntimeException probe() {
        metrics.incrementProbes();
        try {
            java.time.Instant now = clock.instant();
            pointWriter.write(List.of(LinePoint.measurement(PROBE_MEASUREMENT)
                    .tag("writer", probeTag)
                    .integerField("ok", 1)
                    .time(Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano()))));
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** Maps a record; a mapper that throws (a value nobody foresaw) makes a dead letter, never a dead thread. */
    private MappedRecord mapSafely(ConsumerRecord<byte[], byte[]> record) {
        try {
            return mapper.map(record.key(), record.value());
        } catch (RuntimeException e) {
            String device = record.key() == null ? "" : new String(record.key(),
                    java.nio.charset.StandardCharsets.UTF_8);
            return new MappedRecord.Rejected(device, DeadLetterReason.MAPPING_FAILED, e.toString());
        }
    }

    private void logDeadLetter(String deviceId, String reason, ConsumerRecord<byte[], byte[]> record, String detail) {
        long n = ++deadLettersLogged;
        if (n <= 100 || (n & (n - 1)) == 0) { // a flood of bad records cannot fill the log
            log.warn("{}: record dead-lettered [device: {}, reason: {}, partition: {}, offset: {}, logged: {}]: {}",
                    name, sanitize(deviceId), reason, record.partition(), record.offset(), n, sanitize(detail));
        }
    }

    /** Device-supplied text in a log line: control characters cannot start a fake line. */
    private static String sanitize(String text) {
        String cut = text.length() > 300 ? text.substring(0, 300) + "..." : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    private void writePathDown(String why, WriteFailure failure, RuntimeException e, int records) {
        metrics.setOutage(why);
        influxHealth.failed(failure, e, records, why);
    }

    private void writePathUp() {
        metrics.setOutage(null);
        influxHealth.recovered();
    }

    /** Why this writer's write path is down right now (retrying, committing nothing), if it is. */
    public java.util.Optional<String> outage() {
        return metrics.outage();
    }

    /** Writes the chunk's points in requests of at most maxPointsPerWrite (one record may need several). */
    private void writeAll(List<Pending> chunk) {
        List<LinePoint> batch = new ArrayList<>(settings.maxPointsPerWrite());
        for (Pending pending : chunk) {
            for (LinePoint point : pending.points()) {
                batch.add(point);
                if (batch.size() == settings.maxPointsPerWrite()) {
                    pointWriter.write(batch);
                    batch = new ArrayList<>(settings.maxPointsPerWrite());
                }
            }
        }
        if (!batch.isEmpty()) {
            pointWriter.write(batch);
        }
    }

    private boolean deadLetterWithRetry(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason,
            String detail, String contractRule) {
        Backoff backoff = new Backoff(settings.backoffInitial(), settings.backoffMax());
        while (true) {
            if (!inFlight.owns(record)) {
                return true;
            }
            if (closing) {
                return false;
            }
            try {
                deadLetters.publish(record, deviceId, reason, detail, contractRule);
            } catch (RuntimeException e) {
                deadLetterHealth.failed(WriteFailure.TRANSIENT, e, 1);
                if (!waitBeforeRetry(backoff.nextDelay())) {
                    return false;
                }
                continue;
            }
            deadLetterHealth.recovered();
            metrics.incrementDeadLettered(reason);
            inFlight.done(record);
            return true;
        }
    }

    /**
     * Waits before a retry by polling with every partition paused, so the consumer stays in its group (a blocked
     * thread would exceed max.poll.interval.ms and be thrown out). Returns false if the writer is closing.
     */
    private boolean waitBeforeRetry(Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        try {
            consumer.pause(consumer.assignment());
            long remaining;
            while (!closing && (remaining = deadline - System.nanoTime()) > 0) {
                ConsumerRecords<byte[], byte[]> unexpected = consumer.poll(
                        Duration.ofNanos(Math.min(remaining, settings.pollTimeout().toNanos())));
                // Partitions assigned inside this poll are paused by the listener, but records fetched before that
                // could slip through: rewind so they are polled again once this poll is done.
                for (TopicPartition partition : unexpected.partitions()) {
                    consumer.seek(partition, unexpected.records(partition).get(0).offset());
                    consumer.pause(List.of(partition));
                }
            }
        } catch (WakeupException e) {
            return false;
        }
        return !closing;
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
            metrics.markCommitted(clock.instant());
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

    /** One record and its points, waiting to be written. */
    private record Pending(ConsumerRecord<byte[], byte[]> record, String deviceId, List<LinePoint> points) {
    }

    /** Progress through one poll: the next offset to commit per partition, and the partitions lost meanwhile. */
    private static final class InFlight {
        final Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        final Set<TopicPartition> revoked = new HashSet<>();

        void done(ConsumerRecord<?, ?> record) {
            done.put(new TopicPartition(record.topic(), record.partition()),
                    new OffsetAndMetadata(record.offset() + 1, record.leaderEpoch(), ""));
        }

        boolean owns(ConsumerRecord<?, ?> record) {
            return revoked.isEmpty() || !revoked.contains(new TopicPartition(record.topic(), record.partition()));
        }

        List<Pending> owned(List<Pending> chunk) {
            if (revoked.isEmpty()) {
                return chunk;
            }
            return chunk.stream().filter(p -> owns(p.record())).toList();
        }

        Map<TopicPartition, OffsetAndMetadata> committable() {
            Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>(done);
            result.keySet().removeAll(revoked);
            return result;
        }

        Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>(done);
            result.keySet().retainAll(partitions);
            result.keySet().removeAll(revoked);
            return result;
        }
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
            inFlight.revoked.addAll(partitions);
            log.info("Partitions revoked while a write was in flight: committing the finished part, leaving the "
                    + "rest to the new owner [partitions: {}, committing: {}]", partitions, finished);
            commit(finished);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.warn("Partitions lost; their uncommitted readings will be written again by the new owner "
                    + "[partitions: {}]", partitions);
            if (inFlight != null) {
                inFlight.revoked.addAll(partitions);
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

    /** Logs a failing operation once when it starts failing or fails differently, and once when it recovers. */
    private final class FailureLog {
        private final String operation;
        private String lastSignature;
        private long failingSinceNanos;
        private int attempts;

        FailureLog(String operation) {
            this.operation = operation;
        }

        void failed(WriteFailure failure, Throwable e, int records) {
            failed(failure, e, records, WriteFailureClassifier.describe(e));
        }

        void failed(WriteFailure failure, Throwable e, int records, String description) {
            attempts++;
            String signature = failure + "/" + WriteFailureClassifier.statusOf(e) + "/" + e.getClass().getName();
            if (signature.equals(lastSignature)) {
                return;
            }
            if (lastSignature == null) {
                failingSinceNanos = System.nanoTime();
            }
            lastSignature = signature;
            if (failure == WriteFailure.MISCONFIGURED) {
                log.error("{} failing, probably misconfigured (URL, token, org or bucket); retrying with backoff up "
                        + "to {}, offsets stay uncommitted [records: {}]: {}", operation, settings.backoffMax(),
                        records, description);
            } else {
                log.warn("{} failing; retrying with backoff up to {}, offsets stay uncommitted [records: {}]: {}",
                        operation, settings.backoffMax(), records, description);
            }
        }

        void recovered() {
            if (lastSignature != null) {
                log.info("{} succeeds again after {} failed attempts in {} ms", operation, attempts,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failingSinceNanos));
                lastSignature = null;
                attempts = 0;
            }
        }
    }
}
