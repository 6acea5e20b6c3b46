package io.tributary.agent.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batch sequence numbers that keep growing across restarts and reboots and are never reused. {@code batch-seq} holds the
 * highest number ever used, written before a segment is deleted; the next number is max(batch-seq, highest seq in the
 * outbox) + 1, so a crash between numbering and appending leaves no gap. Guarded by the {@link DiskOutbox} that owns it.
 */
final class BatchSequence {

    private static final Logger LOG = LoggerFactory.getLogger(DiskOutbox.class);

    private final CounterFile floorFile;
    private long floor;
    private long last;

    BatchSequence(CounterFile floorFile) throws IOException {
        this.floorFile = floorFile;
        this.floor = floorFile.read();
        this.last = floor;
    }

    /** The highest number in use; {@code seq} found in the outbox on recovery counts too. */
    long last() {
        return last;
    }

    void used(long seq) {
        last = Math.max(last, seq);
    }

    /** Before a segment is deleted: the numbers it held must never be handed out again. */
    void persistFloor() {
        if (last > floor) {
            floorFile.write(last);
            floor = last;
        }
    }

    /**
     * After a refused batch: its number is used up; if that cannot be persisted, a restart may reuse it (harmless: the
     * batch was never published).
     */
    void persistFloorQuietly() {
        try {
            persistFloor();
        } catch (UncheckedIOException e) {
            LOG.warn("Cannot persist the batch sequence floor [file: {}]: {}", floorFile.file(),
                    e.getCause().toString());
        }
    }
}
