package io.tributary.agent.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox directory's segment files: which one is appended to, when a new one starts, deleting one, and the disk
 * they use. Guarded by the {@link DiskOutbox} that owns it.
 */
final class SegmentFiles {

    private static final Logger LOG = LoggerFactory.getLogger(DiskOutbox.class);

    private final Path dir;
    private final long segmentBytes;
    private final boolean forceDirectory;
    /** Consulted before every write to a segment (tests simulate a full or failing disk with it). */
    private final DiskFaults faults;
    /** Runs before a segment is deleted; it may refuse by throwing (then nothing is deleted). */
    private final Runnable beforeDelete;
    /** Segments by first sequence number; the last one is active (appended to). */
    private final TreeMap<Long, Segment> segments;
    private long totalBytes;

    SegmentFiles(Path dir, long segmentBytes, boolean forceDirectory, DiskFaults faults,
            OutboxRecovery.Recovered found, Runnable beforeDelete) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.forceDirectory = forceDirectory;
        this.faults = faults;
        this.beforeDelete = beforeDelete;
        this.segments = found.segments();
        this.totalBytes = found.totalBytes();
    }

    /** Deletes fully acknowledged segments, except the last (which keeps being appended to). */
    void deleteAcknowledged() throws IOException {
        for (Segment s : new ArrayList<>(segments.values())) {
            if (s.live == 0 && (s != last() || s.size == 0)) {
                delete(s);
            }
        }
    }

    /** The segment a record of {@code recordBytes} goes to; starts a new one (named after {@code seq}) when full. */
    Segment activeFor(long seq, int recordBytes) throws IOException {
        Segment last = last();
        if (last != null && last.size + recordBytes + last.ackSize <= segmentBytes) {
            return last;
        }
        if (last != null) {
            last.channel.force(false);
            if (last.live == 0) {
                delete(last);
            }
        }
        Path file = dir.resolve(SegmentFormat.segmentName(seq));
        Segment s = new Segment(seq, file, FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE));
        segments.put(seq, s);
        if (forceDirectory) {
            forceDirectory();
        }
        return s;
    }

    /**
     * Writes {@code record} at the end of {@code s}, forced to the device when {@code force}; it counts only once
     * {@link #appended} says so (a failed write is cut off again with {@link #cutOff}).
     */
    void write(Segment s, ByteBuffer record, boolean force) throws IOException {
        long offset = s.size;
        faults.beforeWrite(s.file);
        while (record.hasRemaining()) {
            s.channel.write(record, offset + record.position());
        }
        if (force) {
            faults.beforeForce(s.file);
            s.channel.force(false);
        }
    }

    /** Counts a record of {@code recordBytes} written to the end of {@code s} as one live batch. */
    void appended(Segment s, int recordBytes) {
        s.size += recordBytes;
        totalBytes += recordBytes;
        s.live++;
    }

    /**
     * Records the ack of batch {@code seq} of {@code s}; not forced: a lost ack only means the batch is sent again,
     * which storage absorbs (at-least-once, idempotent points). Deletes the segment once all its batches are
     * acknowledged, unless it is the active one.
     */
    void acknowledge(Segment s, long seq) throws IOException {
        s.ackChannel().write(SegmentFormat.encodeAck(seq), s.ackSize);
        s.ackSize += SegmentFormat.ACK_BYTES;
        totalBytes += SegmentFormat.ACK_BYTES;
        s.live--;
        if (s.live == 0 && s != last()) {
            delete(s);
        }
    }

    void delete(Segment s) throws IOException {
        beforeDelete.run();
        s.closeQuietly();
        // acks first: a crash in between leaves a segment whose batches are sent again, never acks without data
        Files.deleteIfExists(s.ackFile());
        Files.deleteIfExists(s.file);
        segments.remove(s.firstSeq);
        totalBytes -= s.size + s.ackSize;
    }

    /** Removes what a failed append left behind the segment's valid records (best effort: recovery cuts it too). */
    void cutOff(Segment segment, long validBytes) {
        try {
            if (segment.channel.isOpen() && segment.channel.size() > validBytes) {
                segment.channel.truncate(validBytes);
            }
        } catch (IOException e) {
            LOG.debug("Cutting a failed append off the outbox segment failed [file: {}]", segment.file, e);
        }
    }

    void forceLast() throws IOException {
        Segment last = last();
        if (last != null) {
            last.channel.force(false);
        }
    }

    Segment last() {
        return segments.isEmpty() ? null : segments.lastEntry().getValue();
    }

    Segment oldest() {
        return segments.isEmpty() ? null : segments.firstEntry().getValue();
    }

    long totalBytes() {
        return totalBytes;
    }

    void closeAll() {
        for (Segment s : segments.values()) {
            s.closeQuietly();
        }
    }

    /** The segment files, oldest first. */
    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(SegmentFormat.SEGMENT_SUFFIX)).sorted()
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("Forcing the outbox directory is not supported here [dir: {}]", dir, e);
        }
    }
}
