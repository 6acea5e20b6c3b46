package io.tributary.agent.outbox;

import io.tributary.agent.outbox.OutboxSettings.FsyncPolicy;
import io.tributary.agent.outbox.OutboxSettings.OverflowPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable store-and-forward outbox: every batch is appended here before it is published and leaves only
 * when acknowledged (or dropped by the overflow policy, counted).
 *
 * <p>The directory {@code outbox/} holds segment files and their ack files ({@link SegmentFormat},
 * {@link SegmentFiles}); opening recovers from whatever a crash left ({@link OutboxRecovery}); sequence numbers are
 * never reused ({@link BatchSequence}).
 *
 * <p>A failed append (disk full, I/O error) takes no sequence number: what it wrote is cut off again, the next batch
 * gets the same number, and the batch's readings are counted as dropped (and reported in the next stored batch's
 * {@code dropped_readings}). So the sequence stays contiguous and the loss is explained by the count, never silent.
 * Batches the overflow policy refuses (outbox full, batch larger than a segment) do take their number: that gap is
 * explained by the same count.
 *
 * <p>Thread-safe; one writer and one publisher thread in the agent.
 */
public final class DiskOutbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DiskOutbox.class);

    private final OutboxSettings settings;
    private final Path dir;
    private final BatchSequence sequence;
    private final DropCounter drops;
    private final SegmentFiles files;
    /** Unacknowledged batches by sequence number. */
    private final TreeMap<Long, Segment.Batch> pending;
    private long durableSeq;
    private long changes;
    private long failedAppendsTotal;
    private boolean closed;

    /** A batch waiting for its PUBACK. */
    public record PendingBatch(long seq, int readings) {
    }

    /**
     * Opens (or creates) the outbox in {@code stateDir/outbox}, recovering from whatever a crash or power cut left.
     *
     * @throws UncheckedIOException when the directory cannot be created or read
     */
    public DiskOutbox(Path stateDir, OutboxSettings settings) {
        this(stateDir, settings, DiskFaults.NONE);
    }

    /**
     * As {@link #DiskOutbox(Path, OutboxSettings)}, with {@code faults} consulted before every write to a segment
     * (tests simulate a full or failing disk with it).
     */
    public DiskOutbox(Path stateDir, OutboxSettings settings, DiskFaults faults) {
        this.settings = settings;
        this.dir = stateDir.resolve("outbox");
        try {
            Files.createDirectories(dir);
            sequence = new BatchSequence(new CounterFile(stateDir.resolve("batch-seq")));
            drops = new DropCounter(new CounterFile(stateDir.resolve("dropped-readings")));
            OutboxRecovery.Recovered found = OutboxRecovery.recover(dir);
            pending = found.pending();
            sequence.used(found.lastSeq());
            // the numbers a deleted segment held must never be handed out again
            files = new SegmentFiles(dir, settings.segmentBytes(), settings.fsync() != FsyncPolicy.NEVER, faults,
                    found, sequence::persistFloor);
            files.deleteAcknowledged();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the outbox in " + dir + ": " + e.getMessage(), e);
        }
        durableSeq = sequence.last();
        LOG.info("Outbox opened [dir: {}, pending batches: {}, bytes: {}, next seq: {}]", dir, pending.size(),
                files.totalBytes(), sequence.last() + 1);
    }

    /** The sequence number the next appended batch must carry. */
    public synchronized long nextSequence() {
        return sequence.last() + 1;
    }

    /**
     * Appends a batch. With {@link FsyncPolicy#ALWAYS} it is on the device when this returns.
     *
     * @param seq      must be {@link #nextSequence()}
     * @param readings readings in the batch, counted if it is ever dropped
     * @return false if the batch is not in the outbox: the overflow policy refused it (it used up its number), or the
     *         disk failed (it used up no number; {@link #nextSequence()} stays). Either way its readings are counted
     *         as dropped.
     */
    public synchronized boolean append(long seq, int readings, byte[] payload) {
        ensureOpen();
        if (seq != sequence.last() + 1) {
            throw new IllegalArgumentException("expected seq " + (sequence.last() + 1) + ", got " + seq);
        }
        int recordBytes = SegmentFormat.HEADER_BYTES + payload.length;
        if (recordBytes + SegmentFormat.ACK_BYTES > settings.segmentBytes()) {
            sequence.used(seq); // the number is used up: the cloud sees the gap and the counted drop
            sequence.persistFloorQuietly();
            drops.count(1, readings, "batch larger than a segment (" + recordBytes + " bytes)", true);
            return false;
        }
        Segment active = null;
        long offset = -1;
        try {
            if (!makeRoom(recordBytes + SegmentFormat.ACK_BYTES)) {
                sequence.used(seq);
                sequence.persistFloorQuietly();
                drops.count(1, readings, "outbox full, overflow policy " + settings.overflow(), true);
                return false;
            }
            active = files.activeFor(seq, recordBytes);
            offset = active.size;
            files.write(active, SegmentFormat.encode(seq, readings, payload), settings.fsync() == FsyncPolicy.ALWAYS);
        } catch (IOException | UncheckedIOException e) {
            failedAppendsTotal++;
            if (active != null && offset >= 0) {
                files.cutOff(active, offset);
            }
            changed();
            drops.count(1, readings, "cannot write to the outbox (" + (e.getCause() != null
                    && e instanceof UncheckedIOException ? e.getCause() : e) + "); the batch took no sequence number",
                    true);
            return false;
        }
        files.appended(active, recordBytes);
        sequence.used(seq);
        pending.put(seq, new Segment.Batch(seq, readings, active, offset, payload.length));
        if (settings.fsync() != FsyncPolicy.INTERVAL) {
            durableSeq = seq;
        }
        changed();
        return true;
    }

    /** Appends that failed on the disk (each counted as a dropped batch). */
    public synchronized long failedAppendsTotal() {
        return failedAppendsTotal;
    }

    /** Forces appended batches to the device and makes them publishable; {@link FsyncPolicy#INTERVAL} calls it on a timer. */
    public synchronized void sync() {
        if (closed || durableSeq == sequence.last()) {
            return;
        }
        try {
            files.forceLast();
            durableSeq = sequence.last();
            changed();
        } catch (IOException e) {
            LOG.error("Forcing the outbox to disk failed [dir: {}]", dir, e);
        }
    }

    /** Unacknowledged batches that are durable, oldest first. */
    public synchronized List<PendingBatch> pending() {
        return pending.headMap(durableSeq, true).values().stream().map(e -> new PendingBatch(e.seq(), e.readings()))
                .toList();
    }

    /** The first durable pending batch with {@code after < seq <= upTo}, or null. */
    public synchronized PendingBatch nextPendingAfter(long after, long upTo) {
        Map.Entry<Long, Segment.Batch> e = pending.higherEntry(after);
        if (e == null || e.getKey() > Math.min(upTo, durableSeq)) {
            return null;
        }
        return new PendingBatch(e.getKey(), e.getValue().readings());
    }

    public synchronized long durableSequence() {
        return durableSeq;
    }

    /** Removes a batch the gateway refused for good (it would never be accepted); its readings count as dropped. */
    public synchronized void discard(long seq, String reason) {
        Segment.Batch e = pending.get(seq);
        if (e == null) {
            return;
        }
        acknowledge(seq);
        drops.count(1, e.readings(), reason, false); // the caller logs it, rate-limited: a gateway can cause many
    }

    /** The payload of a pending batch, or null once it was acknowledged or dropped. */
    public synchronized byte[] read(long seq) {
        Segment.Batch e = pending.get(seq);
        if (e == null || closed) {
            return null;
        }
        try {
            return e.payload();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read batch " + seq + " from the outbox in " + dir, ex);
        }
    }

    /** Removes a batch after its PUBACK; unknown sequence numbers (already dropped) are ignored. */
    public synchronized void acknowledge(long seq) {
        Segment.Batch e = pending.remove(seq);
        if (e == null || closed) {
            return;
        }
        try {
            files.acknowledge(e.segment(), seq);
        } catch (IOException ex) {
            LOG.warn("Recording an ack in the outbox failed; the batch may be sent again [seq: {}]", seq, ex);
        }
        changed();
    }

    /** Waits until something changes (an append, an ack, a sync) or the timeout passes. */
    public synchronized void awaitChange(long seenChanges, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (changes == seenChanges && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    public synchronized long changes() {
        return changes;
    }

    /** Readings dropped and not yet reported in a batch; survives restarts. */
    public synchronized long droppedReadings() {
        return drops.unreported();
    }

    /** Records that {@code reported} dropped readings went out in a batch that is now in the outbox. */
    public synchronized void dropsReported(long reported) {
        drops.reported(reported);
    }

    /** Readings dropped since this outbox was opened. */
    public synchronized long droppedReadingsTotal() {
        return drops.readingsTotal();
    }

    public synchronized long droppedBatchesTotal() {
        return drops.batchesTotal();
    }

    public synchronized int pendingCount() {
        return pending.size();
    }

    /** Disk used by segments and ack files. */
    public synchronized long sizeBytes() {
        return files.totalBytes();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        sync();
        closed = true;
        files.closeAll();
        notifyAll();
    }

    private boolean makeRoom(long needed) throws IOException {
        while (files.totalBytes() + needed > settings.maxBytes()) {
            Segment oldest = files.oldest();
            if (settings.overflow() == OverflowPolicy.DROP_NEWEST || oldest == null) {
                return false;
            }
            // delete first: if that fails (the sequence floor cannot be persisted), nothing was dropped yet
            files.delete(oldest);
            int batches = 0;
            long readings = 0;
            for (Iterator<Segment.Batch> it = pending.values().iterator(); it.hasNext(); ) {
                Segment.Batch e = it.next();
                if (e.segment() != oldest) {
                    break;
                }
                batches++;
                readings += e.readings();
                it.remove();
            }
            if (batches > 0) {
                drops.count(batches, readings, "outbox full, dropped the oldest segment", true);
            }
        }
        return true;
    }

    private void changed() {
        changes++;
        notifyAll();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the outbox is closed");
        }
    }

    /** For tests: the segment files. */
    List<Path> segmentFiles() throws IOException {
        return SegmentFiles.list(dir);
    }
}
