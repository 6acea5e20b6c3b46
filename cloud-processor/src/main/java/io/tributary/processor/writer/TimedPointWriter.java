package io.tributary.processor.writer;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;


/** A {@link PointWriter} decorator that measures every write request (count, total and max latency, failures). */
public final class TimedPointWriter implements PointWriter {

    private final PointWriter delegate;
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final AtomicLong maxNanos = new AtomicLong();

    public TimedPointWriter(PointWriter delegate) {
        this.delegate = delegate;
    }

    @Override
    public void write(List<LinePoint> points) {
        long start = System.nanoTime();
        try {
            delegate.write(points);
        } catch (RuntimeException e) {
            failures.increment();
            throw e;
        } finally {
            long took = System.nanoTime() - start;
            requests.increment();
            totalNanos.add(took);
            maxNanos.accumulateAndGet(took, Math::max);
        }
    }

    public long requests() {
        return requests.sum();
    }

    public long failures() {
        return failures.sum();
    }

    public double totalSeconds() {
        return totalNanos.sum() / 1e9;
    }

    public double maxSeconds() {
        return maxNanos.get() / 1e9;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
