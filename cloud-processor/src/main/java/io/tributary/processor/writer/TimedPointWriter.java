package io.tributary.processor.writer;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;

/** A {@link PointWriter} decorator that times every write request, failed ones included. */
public final class TimedPointWriter implements PointWriter {

    private final PointWriter delegate;
    private final Timer timer;

    public TimedPointWriter(PointWriter delegate, Timer timer) {
        this.delegate = delegate;
        this.timer = timer;
    }

    @Override
    public void write(List<LinePoint> points) {
        long start = System.nanoTime();
        try {
            delegate.write(points);
        } finally {
            timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}
