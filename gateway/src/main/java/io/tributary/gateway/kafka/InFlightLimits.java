package io.tributary.gateway.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes waiting for Kafka's acknowledgement, and the two limits on them. Thread-safe: every event loop acquires,
 * and releases come from event loops or Kafka's I/O thread.
 *
 * <ul>
 *   <li><b>Pause mark</b> (backpressure): at or above it a connection that just handed over a record stops reading
 *       its socket and registers a resumer ({@link #whenBelowResumeMark}); the resumers run once the bytes fell
 *       below the <b>resume mark</b> (half the pause mark, so connections do not flap).
 *   <li><b>Hard limit</b> (last resort): a record that would take the bytes above it is refused
 *       ({@link #tryAcquire} false; the device gets "quota exceeded"). It only matters when many connections each
 *       push one more publish past the pause mark at the same moment.
 * </ul>
 */
public final class InFlightLimits {

    private final long hardLimitBytes;
    private final long pauseAtBytes;
    private final long resumeBelowBytes;
    private final AtomicLong bytes = new AtomicLong();
    /** Written before {@code bytes} is re-read by a registrant, read after {@code bytes} changed by a releaser. */
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final Object lock = new Object();
    private List<Runnable> waiting = new ArrayList<>();

    public InFlightLimits(long hardLimitBytes, long pauseAtBytes) {
        if (pauseAtBytes < 1 || pauseAtBytes > hardLimitBytes) {
            throw new IllegalArgumentException("pause mark must be 1.." + hardLimitBytes + ", got " + pauseAtBytes);
        }
        this.hardLimitBytes = hardLimitBytes;
        this.pauseAtBytes = pauseAtBytes;
        this.resumeBelowBytes = Math.max(1, pauseAtBytes / 2);
    }

    /**
     * Counts {@code size} more bytes unless that exceeds the hard limit (false: nothing counted). A record larger than
     * the limit passes when nothing else is in flight, so it cannot be refused forever.
     */
    public boolean tryAcquire(long size) {
        long after = bytes.addAndGet(size);
        if (after > hardLimitBytes && after != size) {
            bytes.addAndGet(-size);
            return false;
        }
        return true;
    }

    /** Counts {@code size} bytes as no longer in flight; runs the waiting resumers once below the resume mark. */
    public void release(long size) {
        long after = bytes.addAndGet(-size);
        if (after < resumeBelowBytes && waitingCount.get() > 0) {
            runWaiting();
        }
    }

    /** Whether the bytes in flight are at or above the pause mark: the caller should stop reading. */
    public boolean atPauseMark() {
        return bytes.get() >= pauseAtBytes;
    }

    /**
     * Runs {@code resumer} once, as soon as the bytes in flight are below the resume mark: on this thread right away
     * if they already are, else on the thread of the release that brings them there. It must be quick and must not
     * throw (hop to the caller's own thread to do the work).
     */
    public void whenBelowResumeMark(Runnable resumer) {
        synchronized (lock) {
            waiting.add(resumer);
            waitingCount.incrementAndGet();
        }
        // Re-read after registering: a release that happened in between saw waitingCount == 0 and ran nobody.
        if (bytes.get() < resumeBelowBytes) {
            runWaiting();
        }
    }

    private void runWaiting() {
        List<Runnable> due;
        synchronized (lock) {
            if (waiting.isEmpty()) {
                return;
            }
            due = waiting;
            waiting = new ArrayList<>();
            waitingCount.set(0);
        }
        for (Runnable resumer : due) {
            resumer.run();
        }
    }

    public long bytes() {
        return bytes.get();
    }

    public int waiting() {
        return waitingCount.get();
    }

    public long hardLimitBytes() {
        return hardLimitBytes;
    }
}
