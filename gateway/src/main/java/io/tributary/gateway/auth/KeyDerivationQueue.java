package io.tributary.gateway.auth;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The secret checks (PBKDF2 key derivations) waiting and running, on a few threads of their own with a bounded queue:
 * they never wait on Vert.x's shared worker pool (whose queue has no bound, and which other blocking work needs), a
 * flood cannot queue more than {@code capacity} of them, and a check that waited longer than {@code maxWait} is
 * dropped unrun (its CONNECT is answered "server busy"; the client has likely given up, and its connection slot is
 * freed without spending the CPU). Thread-safe.
 */
public final class KeyDerivationQueue implements AutoCloseable {

    public interface Task {
        void run();

        /** The check waited longer than {@code maxWait} and will not run; called on a derivation thread. */
        void expired();
    }

    private final ThreadPoolExecutor executor;
    private final long maxWaitNanos;
    private final LongSupplier nanoClock;
    private final int capacity;

    /** @param threads derivation threads (started on demand, ended after a minute idle) */
    public KeyDerivationQueue(int threads, int capacity, Duration maxWait) {
        this(threads, capacity, maxWait, System::nanoTime);
    }

    KeyDerivationQueue(int threads, int capacity, Duration maxWait, LongSupplier nanoClock) {
        if (threads < 1 || capacity < 1) {
            throw new IllegalArgumentException("threads and capacity must be at least 1, got " + threads + ", "
                    + capacity);
        }
        this.capacity = capacity;
        this.maxWaitNanos = maxWait.toNanos();
        this.nanoClock = nanoClock;
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread thread = new Thread(r, "key-derivation-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(capacity), factory, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
    }

    /** Queues {@code task}; false when the queue is full or closed: it will not run, answer the CONNECT at once. */
    public boolean trySubmit(Task task) {
        long queuedAt = nanoClock.getAsLong();
        try {
            executor.execute(new Queued(task, queuedAt, this));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    public int waiting() {
        return executor.getQueue().size();
    }

    public int capacity() {
        return capacity;
    }

    /** Stops taking checks; those still queued are {@linkplain Task#expired() expired} unrun, on this thread. */
    @Override
    public void close() {
        for (Runnable dropped : executor.shutdownNow()) {
            if (dropped instanceof Queued queued) {
                queued.task.expired();
            }
        }
    }

    private record Queued(Task task, long queuedAt, KeyDerivationQueue queue) implements Runnable {
        @Override
        public void run() {
            if (queue.nanoClock.getAsLong() - queuedAt > queue.maxWaitNanos) {
                task.expired();
            } else {
                task.run();
            }
        }
    }
}
