package io.tributary.processor.writer;

import java.util.List;


/** Writes points synchronously: returns only once the database accepted all of them, throws otherwise. */
public interface PointWriter extends AutoCloseable {

    /**
     * Writes the points in one request.
     *
     * @throws RuntimeException when the database did not accept them all; {@link WriteFailureClassifier} tells
     *         whether to retry
     */
    void write(List<LinePoint> points);

    @Override
    void close();
}
