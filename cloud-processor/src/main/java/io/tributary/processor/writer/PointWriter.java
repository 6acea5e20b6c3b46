package io.tributary.processor.writer;

import java.util.List;

/** Writes points synchronously: returns only once the database accepted all of them, throws otherwise. */
public interface PointWriter extends AutoCloseable {

    /** Writes the points in one request; {@link WriteFailureClassifier} tells whether what it throws is retried. */
    void write(List<LinePoint> points);

    @Override
    void close();
}
