package io.tributary.simulator.sensor;

import java.util.SplittableRandom;

/**
 * One simulated sensor: a name, a unit and a signal over time. Values are a pure function of the run's seed, the sample
 * order and the sample's virtual time (seconds since the fleet started, by the schedule, not by the wall clock), so the
 * same seed gives the same values in every run, however the threads happen to be scheduled.
 * Not thread-safe: one device, one caller at a time.
 */
public record SensorModel(String name, String unit, Signal signal, SplittableRandom random) {

    /** A sensor's signal: the value at virtual time {@code t} seconds, drawing noise from {@code random}. */
    @FunctionalInterface
    public interface Signal {
        double value(double t, SplittableRandom random);
    }

    /** The value at virtual time {@code t} seconds since the fleet started, rounded to 3 decimals. */
    public double sample(double t) {
        return Math.round(signal.value(t, random) * 1000.0) / 1000.0;
    }
}
