package io.tributary.processor.writer;

import java.util.List;

import io.micrometer.core.instrument.Timer;

/** A {@link PointWriter} decorator that times every write request, failed ones included. */
public record TimedPointWriter(PointWriter delegate, Timer timer) implements PointWriter {

    @Override
    public void write(List<LinePoint> points) {
        timer.record(() -> delegate.write(points));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
