package io.tributary.processor.streams;

import io.tributary.proto.v1.AlertEvent;

/** What the topology reports as it works (metrics, logs). Called on Streams threads; must be thread-safe and fast. */
public interface StreamsListener {

    StreamsListener NOOP = new StreamsListener() {
    };

    /** A telemetry record that is not a valid ReadingBatch: skipped here (the readings writer dead-letters it). */
    default void invalidRecord() {
    }

    /** Readings processed by the rollups and the alert rules. */
    default void readingsProcessed(int readings) {
    }

    /** A reading that arrived after its window closed (end + grace): not in any rollup, still stored raw. */
    default void lateReading() {
    }

    /** A rollup emitted for a closed window. */
    default void rollupEmitted() {
    }

    /** An alert changed state (FIRING or RESOLVED). */
    default void alertTransition(AlertEvent event) {
    }
}
