package io.tributary.agent.sensor;

/** Reads one raw value (before scale and offset). */
@FunctionalInterface
interface ValueReader {
    double read() throws SensorException;
}
