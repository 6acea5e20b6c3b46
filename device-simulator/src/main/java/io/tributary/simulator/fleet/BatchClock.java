package io.tributary.simulator.fleet;

import java.util.PriorityQueue;
import java.util.function.IntConsumer;

/**
 * The batch schedule of a whole fleet, driven by one coarse timer instead of one timer per device.
 *
 * <p>Each device is due every {@code intervalNanos} from its own first due time. {@link #fire} runs every device that
 * is due by the given time, once per interval it is due for (a late timer catches up, as a fixed-rate schedule does),
 * so the fleet's rate stays exact whatever the timer's period. Devices due within the same period are fired together:
 * one timer wake-up and one burst of writes instead of one of each per device, which is what keeps the simulator
 * cheap next to the pipeline it drives on the same box. Not thread-safe: one timer thread fires it.
 */
final class BatchClock {

    private record Due(long atNanos, long intervalNanos, int device) {
    }

    private final PriorityQueue<Due> schedule = new PriorityQueue<>((a, b) -> Long.compare(a.atNanos, b.atNanos));

    /** Schedules {@code device} to be due at {@code firstAtNanos} and every {@code intervalNanos} after it. */
    void add(int device, long firstAtNanos, long intervalNanos) {
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("intervalNanos must be > 0, got " + intervalNanos);
        }
        schedule.add(new Due(firstAtNanos, intervalNanos, device));
    }

    /**
     * Fires every device due at or before {@code nowNanos}, in due order.
     *
     * @return how many batches were due
     */
    int fire(long nowNanos, IntConsumer onDue) {
        int fired = 0;
        Due next;
        while ((next = schedule.peek()) != null && next.atNanos <= nowNanos) {
            schedule.poll();
            schedule.add(new Due(next.atNanos + next.intervalNanos, next.intervalNanos, next.device));
            fired++;
            onDue.accept(next.device);
        }
        return fired;
    }

    /** When the next device is due, or {@link Long#MAX_VALUE} if none is scheduled. */
    long nextDueNanos() {
        Due next = schedule.peek();
        return next == null ? Long.MAX_VALUE : next.atNanos;
    }
}
