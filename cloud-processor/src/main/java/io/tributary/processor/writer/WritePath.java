package io.tributary.processor.writer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.common.Backoff;
import io.tributary.common.LogSanitizer;
import io.tributary.processor.metrics.WriterMeters;

/**
 * The write, retry and probe core shared by every topic writer: writes records' points until InfluxDB accepts them,
 * tells a poisoned record from a broken write path with a probe point, and dead-letters what is poison.
 *
 * <p>Runs on the writer's thread only; retry waits poll the writer's consumer with every partition paused, so the
 * consumer stays in its group however long InfluxDB is away.
 */
public final class WritePath {

    private static final Logger log = LoggerFactory.getLogger(InfluxTopicWriter.class);

    private final Consumer<byte[], byte[]> consumer;
    private final PointWriter pointWriter;
    private final DeadLetterPublisher deadLetters;
    private final InfluxTopicWriter.Settings settings;
    private final WriterMeters metrics;
    private final Clock clock;
    private final String name;
    private final String probeTag;
    private final BooleanSupplier closing;
    private final WriteFailureClassifier classifier = new WriteFailureClassifier();
    private final FailureLog influxHealth;
    private final FailureLog deadLetterHealth;
    private long deadLettersLogged;

    WritePath(Consumer<byte[], byte[]> consumer, PointWriter pointWriter, DeadLetterPublisher deadLetters,
            InfluxTopicWriter.Settings settings, WriterMeters metrics, Clock clock, String name,
            BooleanSupplier closing) {
        this.consumer = consumer;
        this.pointWriter = pointWriter;
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
        this.name = name;
        this.probeTag = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        this.closing = closing;
        this.influxHealth = new FailureLog("InfluxDB write", settings.backoffMax());
        this.deadLetterHealth = new FailureLog("dead-letter send", settings.backoffMax());
    }

    /**
     * Writes the records' points until InfluxDB accepted them (returns true, records marked done) or the writer is
     * closing (returns false). A rejected chunk is split down to single records; a rejected single record is
     * dead-lettered.
     */
    boolean write(List<Pending> chunk, InFlight poll) {
        Backoff backoff = new Backoff(settings.backoffInitial(), settings.backoffMax());
        while (true) {
            List<Pending> owned = poll.owned(chunk);
            if (owned.isEmpty()) {
                metrics.setOutage(null); // nothing of ours left to write: what is known of the path is stale
                return true; // revoked while we waited: the new owner writes them
            }
            if (closing.getAsBoolean()) {
                return false;
            }
            try {
                writeAll(owned);
            } catch (RuntimeException e) {
                WriteFailure failure = classifier.classify(e);
                if (failure == WriteFailure.REJECTED) {
                    metrics.rejectedFailures.increment();
                    // Poison or outage? Only a write path proven to work makes a rejection the data's fault.
                    RuntimeException probeFailure = probe();
                    if (probeFailure == null) {
                        writePathUp();
                        return handleRejection(owned, e, poll);
                    }
                    metrics.outageRetry("rejected_wholesale");
                    writePathDown("InfluxDB (or a proxy in front of it) rejects every write, even a probe point: "
                            + WriteFailureClassifier.describe(e) + "; probe: "
                            + WriteFailureClassifier.describe(probeFailure), failure, e, owned.size());
                } else {
                    String kind = failure.name().toLowerCase(Locale.ROOT);
                    metrics.retryableFailures.increment();
                    metrics.outageRetry(kind);
                    writePathDown("InfluxDB write failing (" + kind + "): " + WriteFailureClassifier.describe(e),
                            failure, e, owned.size());
                }
                if (!waitBeforeRetry(backoff.next())) {
                    return false;
                }
                continue;
            }
            writePathUp();
            for (Pending pending : owned) {
                metrics.pointsWritten.increment(pending.points().size());
                poll.done(pending.record());
            }
            return true;
        }
    }

    private boolean handleRejection(List<Pending> rejectedChunk, RuntimeException e, InFlight poll) {
        if (rejectedChunk.size() > 1) {
            log.debug("InfluxDB rejected a chunk of {} records, splitting it to find the offending ones: {}",
                    rejectedChunk.size(), WriteFailureClassifier.describe(e));
            int half = rejectedChunk.size() / 2;
            return write(rejectedChunk.subList(0, half), poll)
                    && write(rejectedChunk.subList(half, rejectedChunk.size()), poll);
        }
        // Rejected alone, and InfluxDB accepted a probe point right after: the path works, the record is poison.
        Pending pending = rejectedChunk.get(0);
        String detail = WriteFailureClassifier.describe(e);
        if (!deadLetter(pending.record(), pending.deviceId(), DeadLetterReason.INFLUX_REJECTED, detail, null,
                poll)) {
            return false;
        }
        logDeadLetter(pending.deviceId(), DeadLetterReason.INFLUX_REJECTED, pending.record(), detail);
        return true;
    }

    void logDeadLetter(String deviceId, String reason, ConsumerRecord<byte[], byte[]> record, String detail) {
        long n = ++deadLettersLogged;
        if (n <= 100 || (n & (n - 1)) == 0) { // a flood of bad records cannot fill the log
            log.warn("{}: record dead-lettered [device: {}, reason: {}, partition: {}, offset: {}, logged: {}]: {}",
                    name, LogSanitizer.sanitize(deviceId, 300), reason, record.partition(), record.offset(), n,
                    LogSanitizer.sanitize(detail, 300));
        }
    }

    /**
     * Writes one probe point (measurement {@value InfluxTopicWriter#PROBE_MEASUREMENT}, tag {@code writer}, integer
     * field {@code ok}, time = now) through the same client, URL and bucket as the data.
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
        metrics.probes.increment();
        try {
            Instant now = clock.instant();
            pointWriter.write(List.of(LinePoint.measurement(InfluxTopicWriter.PROBE_MEASUREMENT)
                    .tag("writer", probeTag)
                    .integerField("ok", 1)
                    .time(Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano()))));
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private void writePathDown(String why, WriteFailure failure, RuntimeException e, int records) {
        metrics.setOutage(why);
        influxHealth.failed(failure, e, records, why);
    }

    private void writePathUp() {
        metrics.setOutage(null);
        influxHealth.recovered();
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

    /**
     * Sends the record to the dead-letter topic until the topic acknowledged it (returns true, record done, logged)
     * or the writer is closing (returns false).
     */
    boolean deadLetter(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason, String detail,
            String contractRule, InFlight poll) {
        Backoff backoff = new Backoff(settings.backoffInitial(), settings.backoffMax());
        while (true) {
            if (!poll.owns(record)) {
                return true;
            }
            if (closing.getAsBoolean()) {
                return false;
            }
            try {
                deadLetters.publish(record, deviceId, reason, detail, contractRule);
            } catch (RuntimeException e) {
                deadLetterHealth.failed(WriteFailure.TRANSIENT, e, 1, WriteFailureClassifier.describe(e));
                if (!waitBeforeRetry(backoff.next())) {
                    return false;
                }
                continue;
            }
            deadLetterHealth.recovered();
            metrics.deadLettered(reason);
            poll.done(record);
            return true;
        }
    }

    /**
     * Waits before a retry by polling with every partition paused, so the consumer stays in its group (a blocked
     * thread would exceed max.poll.interval.ms and be thrown out). Returns false if the writer is closing.
     */
    private boolean waitBeforeRetry(Duration delay) {
        return waitPolling(consumer, delay, settings.pollTimeout(), closing);
    }

    /** Waits {@code delay} polling {@code consumer} with every partition paused; false if woken up or closing. */
    public static boolean waitPolling(Consumer<?, ?> consumer, Duration delay, Duration pollTimeout,
            BooleanSupplier closing) {
        long deadline = System.nanoTime() + delay.toNanos();
        try {
            consumer.pause(consumer.assignment());
            long remaining;
            while (!closing.getAsBoolean() && (remaining = deadline - System.nanoTime()) > 0) {
                ConsumerRecords<?, ?> unexpected = consumer.poll(
                        Duration.ofNanos(Math.min(remaining, pollTimeout.toNanos())));
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
        return !closing.getAsBoolean();
    }
}
