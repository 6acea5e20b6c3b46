package io.tributary.agent.outbox;

import io.tributary.agent.outbox.OutboxSettings.FsyncPolicy;
import io.tributary.agent.outbox.OutboxSettings.OverflowPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable store-and-forward outbox: every batch is appended here before it is published and leaves only
 * when acknowledged (or dropped by the overflow policy, counted).
 *
 * <p>Format (all integers big-endian). The outbox directory holds segment files {@code <first seq, 20 digits>.seg} and,
 * beside each, an ack file {@code .ack}. A segment is a sequence of records:
 * <pre>
 *   int  magic      0x54524231 ("TRB1")
 *   int  length     payload bytes
 *   long seq        the batch sequence number (strictly increasing across the outbox)
 *   int  readings   readings in the batch (what a drop costs)
 *   int  crc32c     over length, seq, readings and payload
 *   byte[length]    payload (the serialized ReadingBatch)
 * </pre>
 * An ack file is a sequence of {@code long seq, int crc32c(seq)} records. Acks are not forced: a lost ack only means
 * the batch is sent again, which storage absorbs (at-least-once, idempotent points).
 *
 * <p>On open, each segment is read up to its first invalid record (bad magic, impossible length, checksum mismatch,
 * sequence not increasing). In the last segment that is a torn tail: it is cut off and appending continues after the
 * valid prefix. In an earlier segment the rest of that segment is skipped and logged. Never an exception, never a crash
 * loop. A segment whose batches are all acknowledged is deleted.
 *
 * <p>Sequence numbers: {@link #nextSequence()} continues after the highest sequence the outbox ever held, remembered in
 * {@code batch-seq} next to the outbox directory when segments are deleted, so numbers keep growing across restarts
 * and are never reused, and a crash between numbering and appending leaves no gap.
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

    static final int MAGIC = 0x54524231;
    static final int HEADER_BYTES = 24;
    static final int ACK_BYTES = 12;
    private static final String SEGMENT_SUFFIX = ".seg";
    private static final String ACK_SUFFIX = ".ack";

    private final OutboxSettings settings;
    private final Path dir;
    private final Path sequenceFile;
    private final Path droppedFile;
    /** Segments by first sequence number; the last one is active (appended to). */
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    /** Unacknowledged batches by sequence number. */
    private final TreeMap<Long, Entry> pending = new TreeMap<>();
    private long lastSeq;
    private long sequenceFloor;
    private long scanPreviousSeq;
    private long durableSeq;
    private long droppedUnreported;
    private long droppedTotal;
    private long droppedBatchesTotal;
    private long totalBytes;
    private long changes;
    private long failedAppendsTotal;
    private boolean closed;
    private final DiskFaults faults;

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
        this.faults = faults;
        this.settings = settings;
        this.dir = stateDir.resolve("outbox");
        this.sequenceFile = stateDir.resolve("batch-seq");
        this.droppedFile = stateDir.resolve("dropped-readings");
        try {
            Files.createDirectories(dir);
            sequenceFloor = readLong(sequenceFile);
            lastSeq = sequenceFloor;
            droppedUnreported = readLong(droppedFile);
            recover();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the outbox in " + dir + ": " + e.getMessage(), e);
        }
        durableSeq = lastSeq;
        LOG.info("Outbox opened [dir: {}, pending batches: {}, bytes: {}, next seq: {}]", dir, pending.size(),
                totalBytes, lastSeq + 1);
    }

    // ---------------------------------------------------------------------------------------------------- writing

    /** The sequence number the next appended batch must carry. */
    public synchronized long nextSequence() {
        return lastSeq + 1;
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
        if (seq != lastSeq + 1) {
            throw new IllegalArgumentException("expected seq " + (lastSeq + 1) + ", got " + seq);
        }
        int recordBytes = HEADER_BYTES + payload.length;
        if (recordBytes + ACK_BYTES > settings.segmentBytes()) {
            lastSeq = seq; // the number is used up: the cloud sees the gap and the counted drop
            persistSequenceFloorQuietly();
            countDropped(1, readings, "batch larger than a segment (" + recordBytes + " bytes)");
            return false;
        }
        Segment active = null;
        long offset = -1;
        try {
            if (!makeRoom(recordBytes + ACK_BYTES)) {
                lastSeq = seq;
                persistSequenceFloorQuietly();
                countDropped(1, readings, "outbox full, overflow policy " + settings.overflow());
                return false;
            }
            active = activeSegmentFor(seq, recordBytes);
            ByteBuffer record = encode(seq, readings, payload);
            offset = active.size;
            faults.beforeWrite(active.file);
            while (record.hasRemaining()) {
                active.channel.write(record, offset + record.position());
            }
            if (settings.fsync() == FsyncPolicy.ALWAYS) {
                faults.beforeForce(active.file);
                active.channel.force(false);
            }
        } catch (IOException | UncheckedIOException e) {
            failedAppendsTotal++;
            if (active != null && offset >= 0) {
                cutOff(active, offset);
            }
            changed();
            countDropped(1, readings, "cannot write to the outbox (" + (e.getCause() != null
                    && e instanceof UncheckedIOException ? e.getCause() : e) + "); the batch took no sequence number");
            return false;
        }
        active.size += recordBytes;
        totalBytes += recordBytes;
        active.live++;
        lastSeq = seq;
        pending.put(seq, new Entry(seq, readings, active, offset, payload.length));
        if (settings.fsync() != FsyncPolicy.INTERVAL) {
            durableSeq = seq;
        }
        changed();
        return true;
    }

    /** Removes what a failed append left behind the segment's valid records (best effort: recovery cuts it too). */
    private void cutOff(Segment segment, long validBytes) {
        try {
            if (segment.channel.isOpen() && segment.channel.size() > validBytes) {
                segment.channel.truncate(validBytes);
            }
        } catch (IOException e) {
            LOG.debug("Cutting a failed append off the outbox segment failed [file: {}]", segment.file, e);
        }
    }

    /** Appends that failed on the disk (each counted as a dropped batch). */
    public synchronized long failedAppendsTotal() {
        return failedAppendsTotal;
    }

    /** Forces appended batches to the device and makes them publishable; {@link FsyncPolicy#INTERVAL} calls it on a timer. */
    public synchronized void sync() {
        if (closed || durableSeq == lastSeq) {
            return;
        }
        try {
            Map.Entry<Long, Segment> last = segments.lastEntry();
            if (last != null) {
                last.getValue().channel.force(false);
            }
            durableSeq = lastSeq;
            changed();
        } catch (IOException e) {
            LOG.error("Forcing the outbox to disk failed [dir: {}]", dir, e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- reading

    /** Unacknowledged batches that are durable, oldest first. */
    public synchronized List<PendingBatch> pending() {
        List<PendingBatch> out = new ArrayList<>(pending.size());
        for (Entry e : pending.headMap(durableSeq, true).values()) {
            out.add(new PendingBatch(e.seq, e.readings));
        }
        return out;
    }

    /** The first durable pending batch with {@code after < seq <= upTo}, or null. */
    public synchronized PendingBatch nextPendingAfter(long after, long upTo) {
        Map.Entry<Long, Entry> e = pending.higherEntry(after);
        if (e == null || e.getKey() > Math.min(upTo, durableSeq)) {
            return null;
        }
        return new PendingBatch(e.getKey(), e.getValue().readings);
    }

    /** The highest durable sequence number. */
    public synchronized long durableSequence() {
        return durableSeq;
    }

    /** Removes a batch the gateway refused for good (it would never be accepted); its readings count as dropped. */
    public synchronized void discard(long seq, String reason) {
        Entry e = pending.get(seq);
        if (e == null) {
            return;
        }
        acknowledge(seq);
        countDropped(1, e.readings, reason, false); // the caller logs it, rate-limited: a gateway can cause many
    }

    /** The payload of a pending batch, or null once it was acknowledged or dropped. */
    public synchronized byte[] read(long seq) {
        Entry e = pending.get(seq);
        if (e == null || closed) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate(e.length);
        try {
            long position = e.offset + HEADER_BYTES;
            while (buf.hasRemaining()) {
                if (e.segment.channel.read(buf, position + buf.position()) < 0) {
                    throw new IOException("segment ends early");
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read batch " + seq + " from the outbox in " + dir, ex);
        }
        return buf.array();
    }

    /** Removes a batch after its PUBACK; unknown sequence numbers (already dropped) are ignored. */
    public synchronized void acknowledge(long seq) {
        Entry e = pending.remove(seq);
        if (e == null || closed) {
            return;
        }
        try {
            ByteBuffer ack = ByteBuffer.allocate(ACK_BYTES).putLong(seq).putInt(crc(seq)).flip();
            Segment s = e.segment;
            s.ackChannel().write(ack, s.ackSize);
            s.ackSize += ACK_BYTES;
            totalBytes += ACK_BYTES;
            s.live--;
            if (s.live == 0 && s != segments.lastEntry().getValue()) {
                deleteSegment(s);
            }
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

    // ---------------------------------------------------------------------------------------------------- drops

    /** Readings dropped and not yet reported in a batch; survives restarts. */
    public synchronized long droppedReadings() {
        return droppedUnreported;
    }

    /** Records that {@code reported} dropped readings went out in a batch that is now in the outbox. */
    public synchronized void dropsReported(long reported) {
        if (reported <= 0) {
            return;
        }
        droppedUnreported = Math.max(0, droppedUnreported - reported);
        persistDropCounter();
    }

    /** Readings dropped since this outbox was opened. */
    public synchronized long droppedReadingsTotal() {
        return droppedTotal;
    }

    public synchronized long droppedBatchesTotal() {
        return droppedBatchesTotal;
    }

    public synchronized int pendingCount() {
        return pending.size();
    }

    /** Disk used by segments and ack files. */
    public synchronized long sizeBytes() {
        return totalBytes;
    }

    public OutboxSettings settings() {
        return settings;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        sync();
        closed = true;
        for (Segment s : segments.values()) {
            s.closeQuietly();
        }
        notifyAll();
    }

    // ---------------------------------------------------------------------------------------------------- internals

    private boolean makeRoom(long needed) throws IOException {
        while (totalBytes + needed > settings.maxBytes()) {
            if (settings.overflow() == OverflowPolicy.DROP_NEWEST || segments.isEmpty()) {
                return false;
            }
            Segment oldest = segments.firstEntry().getValue();
            // delete first: if that fails (the sequence floor cannot be persisted), nothing was dropped yet
            deleteSegment(oldest);
            int batches = 0;
            long readings = 0;
            for (Iterator<Entry> it = pending.values().iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.segment != oldest) {
                    break;
                }
                batches++;
                readings += e.readings;
                it.remove();
            }
            if (batches > 0) {
                countDropped(batches, readings, "outbox full, dropped the oldest segment");
            }
        }
        return true;
    }

    private void countDropped(int batches, long readings, String why) {
        countDropped(batches, readings, why, true);
    }

    private void countDropped(int batches, long readings, String why, boolean log) {
        droppedUnreported += readings;
        droppedTotal += readings;
        droppedBatchesTotal += batches;
        persistDropCounter();
        if (!log) {
            LOG.debug("Outbox dropped batches [batches: {}, readings: {}, reason: {}, dropped readings so far: {}]",
                    batches, readings, why, droppedTotal);
            return;
        }
        LOG.warn("Outbox dropped batches [batches: {}, readings: {}, reason: {}, dropped readings so far: {}]",
                batches, readings, why, droppedTotal);
    }

    private Segment activeSegmentFor(long seq, int recordBytes) throws IOException {
        Map.Entry<Long, Segment> last = segments.lastEntry();
        if (last != null && last.getValue().size + recordBytes + last.getValue().ackSize <= settings.segmentBytes()) {
            return last.getValue();
        }
        if (last != null) {
            Segment previous = last.getValue();
            previous.channel.force(false);
            if (previous.live == 0) {
                deleteSegment(previous);
            }
        }
        Path file = dir.resolve(String.format("%020d", seq) + SEGMENT_SUFFIX);
        Segment s = new Segment(seq, file, FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE));
        segments.put(seq, s);
        if (settings.fsync() != FsyncPolicy.NEVER) {
            forceDirectory();
        }
        return s;
    }

    private void deleteSegment(Segment s) throws IOException {
        // the numbers this segment held must never be handed out again
        persistSequenceFloor();
        s.closeQuietly();
        // acks first: a crash in between leaves a segment whose batches are sent again, never acks without data
        Files.deleteIfExists(s.ackFile());
        Files.deleteIfExists(s.file);
        segments.remove(s.firstSeq);
        totalBytes -= s.size + s.ackSize;
    }

    private void recover() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(SEGMENT_SUFFIX)).sorted().toList();
        }
        try (Stream<Path> list = Files.list(dir)) {
            for (Path ack : list.filter(p -> p.getFileName().toString().endsWith(ACK_SUFFIX)).toList()) {
                String segmentName = ack.getFileName().toString().replace(ACK_SUFFIX, SEGMENT_SUFFIX);
                if (!Files.exists(ack.resolveSibling(segmentName))) {
                    Files.delete(ack); // left by a crash while deleting its segment
                }
            }
        }
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long first;
            try {
                first = Long.parseLong(file.getFileName().toString().replace(SEGMENT_SUFFIX, ""));
            } catch (NumberFormatException e) {
                LOG.warn("Ignoring a stray file in the outbox [file: {}]", file);
                continue;
            }
            boolean lastFile = i == files.size() - 1;
            Segment s = new Segment(first, file, FileChannel.open(file, StandardOpenOption.READ,
                    StandardOpenOption.WRITE));
            List<Entry> entries = scan(s, lastFile);
            java.util.Set<Long> acked = readAcks(s);
            for (Entry e : entries) {
                lastSeq = Math.max(lastSeq, e.seq);
                s.maxSeq = Math.max(s.maxSeq, e.seq);
                if (!acked.contains(e.seq)) {
                    pending.put(e.seq, e);
                    s.live++;
                }
            }
            segments.put(first, s);
            totalBytes += s.size + s.ackSize;
        }
        // delete fully acknowledged segments, except the last (which keeps being appended to)
        for (Segment s : new ArrayList<>(segments.values())) {
            if (s.live == 0 && (s != segments.lastEntry().getValue() || s.size == 0)) {
                deleteSegment(s);
            }
        }
    }

    /** Reads a segment's valid records; cuts a torn tail off the last segment. */
    private List<Entry> scan(Segment s, boolean lastFile) throws IOException {
        List<Entry> entries = new ArrayList<>();
        long fileSize = s.channel.size();
        long position = 0;
        long previousSeq = scanPreviousSeq;
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        String problem = null;
        while (position < fileSize) {
            if (fileSize - position < HEADER_BYTES) {
                problem = "incomplete header";
                break;
            }
            header.clear();
            readFully(s.channel, header, position);
            header.flip();
            int magic = header.getInt();
            int length = header.getInt();
            long seq = header.getLong();
            int readings = header.getInt();
            int storedCrc = header.getInt();
            if (magic != MAGIC) {
                problem = "bad magic";
                break;
            }
            if (length < 0 || position + HEADER_BYTES + length > fileSize) {
                problem = "incomplete record";
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(s.channel, payload, position + HEADER_BYTES);
            if (crc(length, seq, readings, payload.array()) != storedCrc) {
                problem = "checksum mismatch";
                break;
            }
            if (seq <= previousSeq || readings < 0) {
                problem = "sequence " + seq + " not after " + previousSeq;
                break;
            }
            previousSeq = seq;
            scanPreviousSeq = seq;
            entries.add(new Entry(seq, readings, s, position, length));
            position += HEADER_BYTES + length;
        }
        if (problem != null) {
            long lost = fileSize - position;
            if (lastFile) {
                LOG.warn("Outbox: cut a torn tail off the last segment [file: {}, problem: {}, bytes: {}]",
                        s.file, problem, lost);
                s.channel.truncate(position);
                s.channel.force(true);
            } else {
                LOG.error("Outbox: a segment is corrupt; its remaining batches are lost and show as a sequence gap "
                        + "[file: {}, problem: {}, offset: {}, bytes skipped: {}]", s.file, problem, position, lost);
            }
        }
        s.size = position;
        if (!lastFile && problem != null) {
            s.size = fileSize; // still occupies the disk until the segment is deleted
        }
        return entries;
    }

    private java.util.Set<Long> readAcks(Segment s) throws IOException {
        java.util.Set<Long> acked = new java.util.HashSet<>();
        Path ackFile = s.ackFile();
        if (!Files.exists(ackFile)) {
            return acked;
        }
        byte[] bytes = Files.readAllBytes(ackFile);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int valid = 0;
        while (buf.remaining() >= ACK_BYTES) {
            long seq = buf.getLong();
            if (buf.getInt() != crc(seq)) {
                break;
            }
            acked.add(seq);
            valid += ACK_BYTES;
        }
        if (valid != bytes.length) {
            LOG.warn("Outbox: cut a torn tail off an ack file [file: {}, bytes: {}]", ackFile, bytes.length - valid);
            try (FileChannel c = FileChannel.open(ackFile, StandardOpenOption.WRITE)) {
                c.truncate(valid);
            }
        }
        s.ackSize = valid;
        return acked;
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            if (channel.read(buf, position + buf.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    static ByteBuffer encode(long seq, int readings, byte[] payload) {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        buf.putInt(MAGIC).putInt(payload.length).putLong(seq).putInt(readings)
                .putInt(crc(payload.length, seq, readings, payload)).put(payload);
        return buf.flip();
    }

    private static int crc(int length, long seq, int readings, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(16).putInt(length).putLong(seq).putInt(readings).flip());
        crc.update(payload);
        return (int) crc.getValue();
    }

    private static int crc(long seq) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(seq).flip());
        return (int) crc.getValue();
    }

    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("Forcing the outbox directory is not supported here [dir: {}]", dir, e);
        }
    }

    private static long readLong(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            return text.isEmpty() ? 0 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("the state file " + file + " is corrupt: '" + text + "'", e);
        }
    }

    /**
     * Persists the unreported drop count. On a full disk this fails too: the count then lives in memory (and goes out
     * with the next batch); only a restart before that loses it, and the log says so.
     */
    private void persistDropCounter() {
        try {
            persistLong(droppedFile, droppedUnreported);
        } catch (UncheckedIOException e) {
            LOG.warn("Cannot persist the dropped-readings counter; it is kept in memory and reported with the next "
                    + "batch [file: {}, unreported: {}]: {}", droppedFile, droppedUnreported, e.getCause().toString());
        }
    }

    /** After a refused batch: its number is used up; if that cannot be persisted, a restart may reuse it (harmless:
     * the batch was never published). */
    private void persistSequenceFloorQuietly() {
        try {
            persistSequenceFloor();
        } catch (UncheckedIOException e) {
            LOG.warn("Cannot persist the batch sequence floor [file: {}]: {}", sequenceFile, e.getCause().toString());
        }
    }

    private void persistSequenceFloor() {
        if (lastSeq > sequenceFloor) {
            persistLong(sequenceFile, lastSeq);
            sequenceFloor = lastSeq;
        }
    }

    /** Written, forced and atomically renamed: after a crash the file holds the old or the new number. */
    private static void persistLong(Path file, long value) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap(Long.toString(value).getBytes(StandardCharsets.US_ASCII)));
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist " + file, e);
        }
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

    private static final class Segment {
        final long firstSeq;
        final Path file;
        final FileChannel channel;
        FileChannel ackChannel;
        long size;
        long ackSize;
        long maxSeq;
        int live;

        Segment(long firstSeq, Path file, FileChannel channel) {
            this.firstSeq = firstSeq;
            this.file = file;
            this.channel = channel;
        }

        Path ackFile() {
            return file.resolveSibling(file.getFileName().toString().replace(SEGMENT_SUFFIX, ACK_SUFFIX));
        }

        FileChannel ackChannel() throws IOException {
            if (ackChannel == null) {
                ackChannel = FileChannel.open(ackFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
            return ackChannel;
        }

        void closeQuietly() {
            try {
                channel.close();
                if (ackChannel != null) {
                    ackChannel.close();
                }
            } catch (IOException e) {
                LOG.debug("Closing an outbox segment failed [file: {}]", file, e);
            } catch (RuntimeException ignored) {
                // already closed
            }
        }
    }

    private static final class Entry {
        final long seq;
        final int readings;
        final Segment segment;
        final long offset;
        final int length;

        Entry(long seq, int readings, Segment segment, long offset, int length) {
            this.seq = seq;
            this.readings = readings;
            this.segment = segment;
            this.offset = offset;
            this.length = length;
            segment.maxSeq = Math.max(segment.maxSeq, seq);
        }
    }

    /** For tests: the segment files. */
    List<Path> segmentFiles() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(SEGMENT_SUFFIX)).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }
}
