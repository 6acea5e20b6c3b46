package io.tributary.agent.batch;

import io.tributary.proto.v1.ReadingBatch;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Batches waiting for PUBACK, bounded: when full, the oldest batch is dropped and its readings are counted, so a long
 * outage costs the oldest data, explicitly, and never memory. In memory only: the durable outbox replaces it.
 */
public final class BatchQueue {

    private final int capacity;
    private final Deque<ReadingBatch> batches = new ArrayDeque<>();
    private long droppedReadings;

    public BatchQueue(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void add(ReadingBatch batch) {
        if (batches.size() == capacity) {
            droppedReadings += batches.pollFirst().getReadingsCount();
        }
        batches.addLast(batch);
        notifyAll();
    }

    /** The oldest batch, left in the queue until {@link #remove} — or null after {@code timeout}. */
    public synchronized ReadingBatch peek(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (batches.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return batches.peekFirst();
    }

    /** Removes {@code batch} once acknowledged (unless the overflow policy already dropped it). */
    public synchronized void remove(ReadingBatch batch) {
        if (batches.peekFirst() == batch) {
            batches.pollFirst();
        }
    }

    /** Readings dropped since the last call; reported to the cloud in the next batch. */
    public synchronized long takeDroppedReadings() {
        long dropped = droppedReadings;
        droppedReadings = 0;
        return dropped;
    }

    public synchronized int size() {
        return batches.size();
    }
}
