package io.tributary.processor.health;

import java.nio.ByteBuffer;

import io.tributary.proto.v1.DeviceHealth;

/**
 * One device's delivery health: its batch sequence accounting, reported drops and clock distance. Pure and
 * single-threaded; the Streams processor keeps one per device in a changelogged store ({@link #toBytes()}).
 *
 * <p>Sequence: the highest {@code batch_seq} seen and a ring of {@value #WINDOW} bits marking the numbers below it that
 * are still missing (null while none is). A number above the highest adds the skipped ones to {@code gaps}; a missing
 * one in the window fills a gap ({@code gaps} −1, {@code late} +1); one seen before is a duplicate, unless its batch was
 * created after the highest one's (device clock): then the device started its counter over (a restart): a re-sent
 * batch keeps its creation time, a restarted counter's batch is new. Numbers below the window (or below the first one seen)
 * cannot be checked: they count as duplicates (resp. late). {@code batch_seq} 0 (not set) is counted but not tracked.
 *
 * <p>Clock: per emission interval, the largest {@code created_at − arrival} of its batches (the least delayed one:
 * transport delay only lowers it) is the skew sample. The skew follows a larger sample at once and a smaller one by a
 * quarter of the difference per interval, so a backlog drained in one interval (old batches arriving late) moves it
 * little, while a clock set back is followed within a few minutes. {@code lag} is the interval's largest
 * {@code arrival − created_at} plus the skew: the age of its oldest batch as the arrival clock sees it.
 */
public final class DeviceHealthState {

    /** Sequence numbers below the highest that can still be told apart (filled, duplicated). */
    public static final int WINDOW = 1024;
    private static final byte FORMAT = 1;

    private long batches;
    private long gaps;
    private long late;
    private long duplicates;
    private long restarts;
    private long reportedDropped;
    private long highestSeq;
    private long highestCreatedNanos;
    /** The first number tracked since the device was first seen or restarted: below it nothing is known. */
    private long baseSeq;
    private long lastArrivalMs;
    private double skewMs = Double.NaN;
    private double lagMs;
    /** Of the batches since the last emission: largest created − arrival and largest arrival − created (ms). */
    private long intervalMaxOffsetMs = Long.MIN_VALUE;
    private long intervalMaxAgeMs = Long.MIN_VALUE;
    /** Bit {@code seq % WINDOW} set: seq (in (highest − WINDOW, highest)) is missing. */
    private long[] missing;

    /**
     * What one batch changed, for the fleet totals (counters: never negative): {@code newGaps} numbers it skipped; a
     * late batch that fills a gap is {@code late}, its gap is not taken back here.
     */
    public record Change(long newGaps, boolean late, boolean duplicate, boolean restart) {
        public static final Change NONE = new Change(0, false, false, false);
        static final Change LATE = new Change(0, true, false, false);
        static final Change DUPLICATE = new Change(0, false, true, false);
        static final Change RESTART = new Change(0, false, false, true);
    }

    /** Accounts one batch: its sequence number, creation time (device clock), arrival time and reported drops. */
    public Change onBatch(long seq, long createdNanos, long arrivalMs, long droppedReadings) {
        batches++;
        lastArrivalMs = arrivalMs;
        long created = Math.floorDiv(createdNanos, 1_000_000L);
        intervalMaxOffsetMs = Math.max(intervalMaxOffsetMs, created - arrivalMs);
        intervalMaxAgeMs = Math.max(intervalMaxAgeMs, arrivalMs - created);
        Change change = sequence(seq, createdNanos);
        if (!change.duplicate()) {
            reportedDropped += droppedReadings;
        }
        return change;
    }

    private Change sequence(long seq, long createdNanos) {
        if (seq <= 0) {
            return Change.NONE;
        }
        if (seq > highestSeq && highestSeq != 0) {
            long skipped = seq - highestSeq - 1;
            gaps += skipped;
            markSkipped(seq);
            highestSeq = seq;
            highestCreatedNanos = createdNanos;
            return skipped == 0 ? Change.NONE : new Change(skipped, false, false, false);
        }
        if (highestSeq - seq < WINDOW && isMissing(seq)) {
            clear(seq);
            gaps--;
            late++;
            return Change.LATE;
        }
        if (highestSeq == 0 || createdNanos > highestCreatedNanos) {
            boolean restart = highestSeq != 0;
            if (restart) {
                restarts++;
            }
            highestSeq = seq;
            highestCreatedNanos = createdNanos;
            baseSeq = seq;
            missing = null;
            return restart ? Change.RESTART : Change.NONE;
        }
        if (seq < baseSeq) {
            late++;
            return Change.LATE;
        }
        duplicates++;
        return Change.DUPLICATE;
    }

    /** The numbers between the highest and {@code seq} are missing; numbers leaving the window are forgotten. */
    private void markSkipped(long seq) {
        if (missing == null) {
            if (seq == highestSeq + 1) {
                return;
            }
            missing = new long[WINDOW / 64];
        }
        long from = Math.max(highestSeq + 1, seq - WINDOW + 1);
        for (long s = from; s < seq; s++) {
            int bit = (int) (s % WINDOW);
            missing[bit >>> 6] |= 1L << bit;
        }
        clear(seq);
    }

    private boolean isMissing(long seq) {
        int bit = (int) (seq % WINDOW);
        return missing != null && (missing[bit >>> 6] & 1L << bit) != 0;
    }

    private void clear(long seq) {
        int bit = (int) (seq % WINDOW);
        missing[bit >>> 6] &= ~(1L << bit);
        for (long word : missing) {
            if (word != 0) {
                return;
            }
        }
        missing = null;
    }

    /** Whether a batch came since the last {@link #emit}. */
    public boolean changed() {
        return intervalMaxAgeMs != Long.MIN_VALUE;
    }

    public long gaps() {
        return gaps;
    }

    /** Folds the interval into skew and lag and returns the record to publish; the interval starts over. */
    public DeviceHealth emit(String device, long nowMs) {
        if (changed()) {
            double sample = intervalMaxOffsetMs;
            skewMs = Double.isNaN(skewMs) || sample >= skewMs ? sample : skewMs + (sample - skewMs) / 4;
            lagMs = Math.max(0, intervalMaxAgeMs + skewMs);
            intervalMaxOffsetMs = Long.MIN_VALUE;
            intervalMaxAgeMs = Long.MIN_VALUE;
        }
        return DeviceHealth.newBuilder().setDeviceId(device).setBatches(batches).setGaps(gaps).setLate(late)
                .setDuplicates(duplicates).setRestarts(restarts).setReportedDropped(reportedDropped)
                .setLastSeq(highestSeq).setSkewMs(Double.isNaN(skewMs) ? 0 : skewMs).setLagMs(lagMs)
                .setLastBatchUnixMs(lastArrivalMs).setTimeUnixNanos(Math.multiplyExact(nowMs, 1_000_000L)).build();
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(1 + 14 * Long.BYTES + (missing == null ? 0 : missing.length * Long.BYTES));
        b.put(FORMAT).putLong(batches).putLong(gaps).putLong(late).putLong(duplicates).putLong(restarts)
                .putLong(reportedDropped).putLong(highestSeq).putLong(highestCreatedNanos).putLong(baseSeq)
                .putLong(lastArrivalMs).putDouble(skewMs).putDouble(lagMs).putLong(intervalMaxOffsetMs)
                .putLong(intervalMaxAgeMs);
        if (missing != null) {
            for (long word : missing) {
                b.putLong(word);
            }
        }
        return b.array();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not a state this class wrote */
    public static DeviceHealthState fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int words = (bytes.length - 1 - 14 * Long.BYTES) / Long.BYTES;
        if (bytes.length < 1 || b.get() != FORMAT || (words != 0 && words != WINDOW / 64)
                || bytes.length != 1 + (14 + words) * Long.BYTES) {
            throw new IllegalArgumentException("not a device health state (" + bytes.length + " bytes)");
        }
        DeviceHealthState s = new DeviceHealthState();
        s.batches = b.getLong();
        s.gaps = b.getLong();
        s.late = b.getLong();
        s.duplicates = b.getLong();
        s.restarts = b.getLong();
        s.reportedDropped = b.getLong();
        s.highestSeq = b.getLong();
        s.highestCreatedNanos = b.getLong();
        s.baseSeq = b.getLong();
        s.lastArrivalMs = b.getLong();
        s.skewMs = b.getDouble();
        s.lagMs = b.getDouble();
        s.intervalMaxOffsetMs = b.getLong();
        s.intervalMaxAgeMs = b.getLong();
        if (words > 0) {
            s.missing = new long[words];
            for (int i = 0; i < words; i++) {
                s.missing[i] = b.getLong();
            }
        }
        return s;
    }
}
