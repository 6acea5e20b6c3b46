package io.tributary.demo.bench;

/**
 * What one phase of the benchmark produced: publishing from {@code from} to {@code to} (seconds on the samples'
 * clock); {@code simulator} null if it printed no summary, {@code probe} null in phases without one,
 * {@code simulatorExit} -1 if it did not exit in time.
 */
record PhaseResult(String name, double offered, double from, double to, Sustainability.Verdict verdict,
        SimulatorSummary simulator, Probe probe, int simulatorExit) {
}
