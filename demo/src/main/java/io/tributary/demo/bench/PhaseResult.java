package io.tributary.demo.bench;

/**
 * What one phase of the benchmark produced.
 *
 * @param from          when the fleet started publishing (seconds on the samples' clock)
 * @param to            when publishing ended
 * @param simulator     the simulator's summary; null if it printed none
 * @param probe         the latency probe; null in phases without one
 * @param simulatorExit the simulator's exit code (-1: it did not exit in time)
 */
record PhaseResult(String name, double offered, double from, double to, Sustainability.Verdict verdict,
        SimulatorSummary simulator, Probe probe, int simulatorExit) {
}
