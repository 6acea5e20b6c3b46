package io.tributary.demo.bench;

import io.tributary.cli.DurationConverter;
import io.tributary.demo.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./tributary bench peers [--out DIR] [--quick]}: Tributary against Mosquitto → Node-RED → InfluxDB. */
@Command(name = "bench peers", mixinStandardHelpOptions = true,
        description = "Runs the same simulated fleet through Tributary (as ./tributary bench does) and through "
                + "Mosquitto -> Node-RED (deploy/peers) -> influxd, each stack alone, in alternating order over "
                + "--rounds; measures the highest sustainable readings/s (the bench's stepping and sustainability "
                + "rule), CPU per reading per component, publish-to-queryable latency at half that rate and loss; "
                + "then the same faults on both (kill -9 of the middle tier and of our gateway, the broker's "
                + "consumer paused 5 s, InfluxDB hung 30 s). Writes DIR/peers.json, DIR/peers.png and each run's "
                + "bench.json and logs under DIR.")
public final class PeersBenchMain implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "target/peers-bench", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--devices", defaultValue = "1000", description = "Simulated devices (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--rounds", defaultValue = "2",
            description = "Measurements of each stack, alternating which goes first; 0: the faults only "
                    + "(default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--rates", split = ",", defaultValue = "2000,4000,8000,16000,32000,64000,100000,140000",
            description = "Tributary's load steps, readings/s (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--peer-rates", split = ",",
            description = "The peer's load steps, readings/s (default: the same as --rates).")
    List<Integer> peerRates;

    @Option(names = "--refine", defaultValue = "1",
            description = "Extra steps bisecting between the last sustainable and the first unsustainable rate "
                    + "(default: ${DEFAULT-VALUE}).")
    int refinements;

    @Option(names = "--step-duration", defaultValue = "30s", converter = DurationConverter.class,
            description = "Length of each load step (default: ${DEFAULT-VALUE}).")
    Duration stepDuration;

    @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "The sustained, verified phase (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--half-duration", defaultValue = "40s", converter = DurationConverter.class,
            description = "The latency phase at half the sustained rate (default: ${DEFAULT-VALUE}).")
    Duration halfDuration;

    @Option(names = "--warmup", defaultValue = "10s", converter = DurationConverter.class,
            description = "Start of each phase left out of its figures (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--fault-rate", defaultValue = "2000",
            description = "Offered readings/s of the fault phases, the same for both stacks (default: ${DEFAULT-VALUE}).")
    int faultRate;

    @Option(names = "--fault-duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "Length of each fault phase; the fault starts 10 s into the traffic (default: ${DEFAULT-VALUE}).")
    Duration faultDuration;

    @Option(names = "--no-faults", description = "Skip the fault phases.")
    boolean noFaults;

    @Option(names = "--quick", description = "A smoke run: one round of short phases, two steps per stack.")
    boolean quick;

    @Option(names = "--root", defaultValue = ".", hidden = true, description = "The project directory.")
    Path root;

    public static void main(String[] args) {
        Cli.benchMain("bench peers", new PeersBenchMain(), args, "bench.log");
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            rounds = 1;
            // Devices connect and the gateway learns the provisioned ones in the first seconds: 10 s of warm-up.
            stepDuration = Duration.ofSeconds(25);
            duration = Duration.ofSeconds(25);
            halfDuration = Duration.ofSeconds(20);
            warmup = Duration.ofSeconds(10);
            rates = List.of(5_000, 10_000);
            refinements = 0;
            peerRates = List.of(1_000, 2_000);
            faultRate = 1_000;
            faultDuration = Duration.ofSeconds(45);
        }
        if (peerRates == null || peerRates.isEmpty()) {
            peerRates = rates;
        }
        if (rounds < 0 || (rounds == 0 && noFaults)) {
            throw Cli.usage(this, "--rounds must be at least 0 (0: the faults only), got " + rounds);
        }
        if (faultRate < 1 || faultDuration.compareTo(Faults.AT.plus(Faults.INFLUX_HANG).plusSeconds(5)) < 0) {
            throw Cli.usage(this, "--fault-rate must be positive and --fault-duration at least 45 s");
        }
        PeersBench.Plan plan = Cli.valid(this, () -> new PeersBench.Plan(options(rates), options(peerRates), rounds,
                faultRate, faultDuration, !noFaults));
        return new PeersBench(plan, out.toAbsolutePath().normalize(), System.out,
                Files.readString(Path.of("/proc/loadavg")).strip()).run();
    }

    private BenchOptions options(List<Integer> steps) {
        return new BenchOptions(root.toAbsolutePath().normalize(), out.toAbsolutePath().normalize(), devices,
                duration, stepDuration, warmup, steps, halfDuration, 3, Duration.ofMillis(100), refinements, null);
    }
}
