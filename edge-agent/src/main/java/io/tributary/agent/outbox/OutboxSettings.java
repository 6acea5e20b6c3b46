package io.tributary.agent.outbox;

import java.time.Duration;
import java.util.Objects;

/**
 * How the outbox keeps its promises.
 *
 * @param maxBytes      disk the outbox may use (segments and their ack files); past it the overflow policy applies
 * @param segmentBytes  size at which the active segment file is closed and a new one started; the unit of drop-oldest
 * @param fsync         when appended batches are forced to the device (and only then become publishable)
 * @param fsyncInterval for {@link FsyncPolicy#INTERVAL}: how often
 * @param overflow      what a full outbox gives up
 */
public record OutboxSettings(long maxBytes, long segmentBytes, FsyncPolicy fsync, Duration fsyncInterval,
        OverflowPolicy overflow) {

    public static final long MIN_BYTES = 64 * 1024;

    public OutboxSettings {
        Objects.requireNonNull(fsync, "outbox.fsync");
        Objects.requireNonNull(overflow, "outbox.overflow");
        Objects.requireNonNull(fsyncInterval, "outbox.fsync-interval");
        if (maxBytes < MIN_BYTES) {
            throw new IllegalArgumentException("outbox.max-bytes: must be at least " + MIN_BYTES + ", got " + maxBytes);
        }
        if (segmentBytes <= 0) {
            segmentBytes = defaultSegmentBytes(maxBytes);
        }
        if (segmentBytes < 1024 || segmentBytes > maxBytes / 4) {
            throw new IllegalArgumentException("outbox.segment-bytes: must be between 1024 and max-bytes/4 ("
                    + maxBytes / 4 + "), got " + segmentBytes);
        }
        if (fsync == FsyncPolicy.INTERVAL && (fsyncInterval.isZero() || fsyncInterval.isNegative())) {
            throw new IllegalArgumentException("outbox.fsync-interval: must be positive, got " + fsyncInterval);
        }
    }

    /** 16 MiB, fsync every batch, drop oldest. */
    public static OutboxSettings defaults() {
        return new OutboxSettings(16L * 1024 * 1024, 0, FsyncPolicy.ALWAYS, Duration.ofSeconds(1),
                OverflowPolicy.DROP_OLDEST);
    }

    /** A sixteenth of the outbox, between 16 KiB and 4 MiB. */
    static long defaultSegmentBytes(long maxBytes) {
        return Math.max(16 * 1024, Math.min(4L * 1024 * 1024, maxBytes / 16));
    }

    /** When appends reach the disk. */
    public enum FsyncPolicy {
        /** Every append is forced before {@code append} returns: nothing acknowledged by the caller is ever lost. */
        ALWAYS,
        /** Appends are forced every {@code fsyncInterval}; a batch is published only after it was forced. */
        INTERVAL,
        /** Left to the OS (survives kill -9, not a power cut). */
        NEVER
    }

    /** What a full outbox gives up; either way the readings are counted and reported. */
    public enum OverflowPolicy {
        /** The oldest segment of batches goes. The default: recent data is worth more. */
        DROP_OLDEST,
        /** The new batch is refused. */
        DROP_NEWEST
    }
}
