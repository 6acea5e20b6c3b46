package io.tributary.agent.outbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the segments a previous run left, whatever a crash or power cut did to them. Each segment is read up to its
 * first invalid record. In the last segment that is a torn tail: it is cut off and appending continues after the valid
 * prefix. In an earlier segment the rest of that segment is skipped and logged (the cloud sees the sequence gap). Never
 * an exception for bad content, never a crash loop.
 */
final class OutboxRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(DiskOutbox.class);

    /** What was found: segments by first seq, unacknowledged batches by seq, the highest seq, bytes on disk. */
    record Recovered(TreeMap<Long, Segment> segments, TreeMap<Long, Segment.Batch> pending, long lastSeq,
            long totalBytes) {
    }

    private OutboxRecovery() {
    }

    static Recovered recover(Path dir) throws IOException {
        List<Path> files = SegmentFiles.list(dir);
        deleteOrphanAcks(dir);
        TreeMap<Long, Segment> segments = new TreeMap<>();
        TreeMap<Long, Segment.Batch> pending = new TreeMap<>();
        long lastSeq = 0;
        long totalBytes = 0;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long first;
            try {
                first = Long.parseLong(file.getFileName().toString().replace(SegmentFormat.SEGMENT_SUFFIX, ""));
            } catch (NumberFormatException e) {
                LOG.warn("Ignoring a stray file in the outbox [file: {}]", file);
                continue;
            }
            Segment s = new Segment(first, file, FileChannel.open(file, StandardOpenOption.READ,
                    StandardOpenOption.WRITE));
            SegmentFormat.Scan scan = scan(s, i == files.size() - 1, lastSeq);
            SegmentFormat.Acks acks = readAcks(s);
            for (SegmentFormat.Found f : scan.records()) {
                lastSeq = Math.max(lastSeq, f.seq());
                if (!acks.seqs().contains(f.seq())) {
                    pending.put(f.seq(), new Segment.Batch(f.seq(), f.readings(), s, f.offset(), f.length()));
                    s.live++;
                }
            }
            segments.put(first, s);
            totalBytes += s.size + s.ackSize;
        }
        return new Recovered(segments, pending, lastSeq, totalBytes);
    }

    /** Ack files whose segment is gone: left by a crash while deleting that segment. */
    private static void deleteOrphanAcks(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            for (Path ack : list.filter(p -> p.getFileName().toString().endsWith(SegmentFormat.ACK_SUFFIX)).toList()) {
                String segmentName = ack.getFileName().toString().replace(SegmentFormat.ACK_SUFFIX,
                        SegmentFormat.SEGMENT_SUFFIX);
                if (!Files.exists(ack.resolveSibling(segmentName))) {
                    Files.delete(ack);
                }
            }
        }
    }

    /** Reads a segment's valid records; cuts a torn tail off the last segment. */
    private static SegmentFormat.Scan scan(Segment s, boolean lastFile, long previousSeq) throws IOException {
        long fileSize = s.channel.size();
        SegmentFormat.Scan scan = SegmentFormat.scan(s.channel, previousSeq);
        long position = scan.validEnd();
        s.size = position;
        if (scan.problem() != null) {
            long lost = fileSize - position;
            if (lastFile) {
                LOG.warn("Outbox: cut a torn tail off the last segment [file: {}, problem: {}, bytes: {}]",
                        s.file, scan.problem(), lost);
                s.channel.truncate(position);
                s.channel.force(true);
            } else {
                LOG.error("Outbox: a segment is corrupt; its remaining batches are lost and show as a sequence gap "
                        + "[file: {}, problem: {}, offset: {}, bytes skipped: {}]", s.file, scan.problem(), position,
                        lost);
                s.size = fileSize; // still occupies the disk until the segment is deleted
            }
        }
        return scan;
    }

    private static SegmentFormat.Acks readAcks(Segment s) throws IOException {
        Path ackFile = s.ackFile();
        if (!Files.exists(ackFile)) {
            return new SegmentFormat.Acks(java.util.Set.of(), 0);
        }
        byte[] bytes = Files.readAllBytes(ackFile);
        SegmentFormat.Acks acks = SegmentFormat.readAcks(bytes);
        if (acks.validBytes() != bytes.length) {
            LOG.warn("Outbox: cut a torn tail off an ack file [file: {}, bytes: {}]", ackFile,
                    bytes.length - acks.validBytes());
            try (FileChannel c = FileChannel.open(ackFile, StandardOpenOption.WRITE)) {
                c.truncate(acks.validBytes());
            }
        }
        s.ackSize = acks.validBytes();
        return acks;
    }
}
