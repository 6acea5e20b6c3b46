package io.tributary.demo.bench;

import io.tributary.demo.process.ServiceProcess;
import java.util.List;
import java.util.Map;

/** What the benchmark's phases need of the stack under test: ours ({@link BenchPipeline}) or a peer ({@link PeerStack}). */
interface BenchStack {

    /** Starts a simulator with {@code args} (its CPU counted as the simulator's). */
    ServiceProcess startSimulator(String name, List<String> args);

    /** The simulator options that point a fleet at this stack (and provision it where devices authenticate). */
    List<String> fleetTarget();

    /** The simulator options that point its verification at this stack's InfluxDB. */
    List<String> influxOptions();

    /** The stack's counters now, {@code t} seconds into the benchmark, in {@link Sample}'s fields. */
    Sample sample(double t, String phase, Map<String, Double> cpuSeconds) throws InterruptedException;
}
