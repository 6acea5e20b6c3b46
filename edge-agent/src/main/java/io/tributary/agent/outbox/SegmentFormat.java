package io.tributary.agent.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The outbox's files on disk (all integers big-endian). A segment file {@code <first seq, 20 digits>.seg} is a sequence
 * of records:
 * <pre>
 *   int  magic      0x54524231 ("TRB1")
 *   int  length     payload bytes
 *   long seq        the batch sequence number (strictly increasing across the outbox)
 *   int  readings   readings in the batch (what a drop costs)
 *   int  crc32c     over length, seq, readings and payload
 *   byte[length]    payload (the serialized ReadingBatch)
 * </pre>
 * Beside each, an ack file {@code <same>.ack} is a sequence of {@code long seq, int crc32c(seq)} records.
 *
 * <p>Pure format: encoding, checksums and reading records back; what to do with a bad record is the caller's.
 */
final class SegmentFormat {

    static final int MAGIC = 0x54524231;
    static final int HEADER_BYTES = 24;
    static final int ACK_BYTES = 12;
    static final String SEGMENT_SUFFIX = ".seg";
    static final String ACK_SUFFIX = ".ack";

    /** One valid record found by {@link #scan}: where it is and what it holds. */
    record Found(long seq, int readings, long offset, int length) {
    }

    /**
     * The valid prefix of a segment file.
     *
     * @param records   its valid records, in order
     * @param validEnd  where the valid prefix ends (the file size when all is valid)
     * @param problem   why reading stopped before the end, or null
     */
    record Scan(List<Found> records, long validEnd, String problem) {
    }

    /** The valid prefix of an ack file: the acknowledged sequence numbers and its length in bytes. */
    record Acks(Set<Long> seqs, int validBytes) {
    }

    private SegmentFormat() {
    }

    static String segmentName(long firstSeq) {
        return String.format("%020d", firstSeq) + SEGMENT_SUFFIX;
    }

    static String ackNameOf(String segmentName) {
        return segmentName.replace(SEGMENT_SUFFIX, ACK_SUFFIX);
    }

    static ByteBuffer encode(long seq, int readings, byte[] payload) {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        buf.putInt(MAGIC).putInt(payload.length).putLong(seq).putInt(readings)
                .putInt(crc(payload.length, seq, readings, payload)).put(payload);
        return buf.flip();
    }

    static ByteBuffer encodeAck(long seq) {
        return ByteBuffer.allocate(ACK_BYTES).putLong(seq).putInt(crc(seq)).flip();
    }

    /**
     * Reads a segment up to its first invalid record: bad magic, impossible length, checksum mismatch, or a sequence
     * number not after {@code previousSeq} (the highest seen in earlier segments).
     */
    static Scan scan(FileChannel channel, long previousSeq) throws IOException {
        List<Found> records = new ArrayList<>();
        long fileSize = channel.size();
        long position = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        String problem = null;
        while (position < fileSize) {
            if (fileSize - position < HEADER_BYTES) {
                problem = "incomplete header";
                break;
            }
            header.clear();
            readFully(channel, header, position);
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
            readFully(channel, payload, position + HEADER_BYTES);
            if (crc(length, seq, readings, payload.array()) != storedCrc) {
                problem = "checksum mismatch";
                break;
            }
            if (seq <= previousSeq || readings < 0) {
                problem = "sequence " + seq + " not after " + previousSeq;
                break;
            }
            previousSeq = seq;
            records.add(new Found(seq, readings, position, length));
            position += HEADER_BYTES + length;
        }
        return new Scan(records, position, problem);
    }

    /** Reads an ack file's content up to its first record with a bad checksum. */
    static Acks readAcks(byte[] bytes) {
        Set<Long> acked = new HashSet<>();
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
        return new Acks(acked, valid);
    }

    static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            if (channel.read(buf, position + buf.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
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
}
