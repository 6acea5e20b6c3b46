package io.tributary.agent.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One open segment file and its ack file; guarded by the {@link DiskOutbox} that owns it. */
final class Segment {

    private static final Logger LOG = LoggerFactory.getLogger(DiskOutbox.class);

    final long firstSeq;
    final Path file;
    final FileChannel channel;
    private FileChannel ackChannel;
    /** Bytes of records (valid ones, or the whole file for a corrupt older segment until it is deleted). */
    long size;
    long ackSize;
    /** Batches in this segment not acknowledged yet. */
    int live;

    Segment(long firstSeq, Path file, FileChannel channel) {
        this.firstSeq = firstSeq;
        this.file = file;
        this.channel = channel;
    }

    Path ackFile() {
        return file.resolveSibling(SegmentFormat.ackNameOf(file.getFileName().toString()));
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

    /** A stored, unacknowledged batch: where its record is. */
    record Batch(long seq, int readings, Segment segment, long offset, int length) {

        byte[] payload() throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(length);
            SegmentFormat.readFully(segment.channel, buf, offset + SegmentFormat.HEADER_BYTES);
            return buf.array();
        }
    }
}
