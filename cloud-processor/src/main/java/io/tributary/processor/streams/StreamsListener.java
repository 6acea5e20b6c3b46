package io.tributary.processor.streams;

import io.tributary.processor.health.DeviceHealthState;
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

    /** A telemetry batch that breaks the input contract ({@code rule}): skipped whole (the readings writer dead-letters it). */
    default void contractViolation(String rule) {
    }

    /** A reading dated beyond wall clock + max future: left out of rollups, so it cannot move the watermark. */
    default void readingBeyondFuture() {
    }

    /** A reading of a new sensor left out of a window entry that is full (sensors or bytes). */
    default void rollupSensorSkipped() {
    }

    /**
     * A telemetry record whose device id is longer than {@link ReadingsDecoder#MAX_DEVICE_ID_BYTES}: skipped, as the
     * id is part of every store key and changelog record of the device.
     */
    default void deviceIdTooLong() {
    }

    /** A record or punctuation that threw in a processor (skipped by the processing exception handler). */
    default void processingError(String node) {
    }

    /** A Streams output record that could not be produced (skipped by the production exception handler). */
    default void productionError(String topic) {
    }

    /** A batch changed its device's sequence accounting (new gaps, a late batch, a duplicate, a counter restart). */
    default void deviceHealthChange(DeviceHealthState.Change change) {
    }

    /** The devices of Streams task {@code task} that have sequence gaps now (0 when the task is closed). */
    default void devicesWithGaps(String task, int devices) {
    }
}
