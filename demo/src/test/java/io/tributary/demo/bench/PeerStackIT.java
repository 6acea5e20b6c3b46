package io.tributary.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.demo.process.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer stack of {@code bench peers} end to end: deploy/peers/setup.sh installs Node-RED, node-red-contrib-influxdb
 * and protobufjs (npm ci into the user's cache, once per lock file: about a minute the first time, nothing after),
 * then Mosquitto, influxd and Node-RED run as processes and a small fleet's readings reach InfluxDB through the flow.
 */
class PeerStackIT {

    @TempDir
    Path dir;

    @Test
    void shouldStoreEveryReadingTheSmallFleetPublishedThroughNodeRed() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        try (PeerStack peer = new PeerStack(root, dir, new CpuAccount())) {
            peer.start(System.out);
            List<String> args = new ArrayList<>(peer.fleetTarget());
            args.addAll(List.of("--devices", "20", "--sensors", "2", "--readings-per-sensor", "5",
                    "--interval", "500ms", "--duration", "5s", "--run-id", "peer-it", "--settle-time", "30s"));
            args.addAll(peer.influxOptions());

            try (ServiceProcess simulator = peer.startSimulator("simulator", args)) {
                assertThat(simulator.awaitExit(Duration.ofSeconds(90))).as(simulator.output()).isZero();
                SimulatorSummary summary = SimulatorSummary.parse(simulator.stdoutText());
                assertThat(summary.publishedReadings()).isGreaterThanOrEqualTo(1_000);
                assertThat(summary.lostReadings()).isZero();
                assertThat(summary.storedReadings()).isEqualTo(summary.publishedReadings());
            }
            Sample sample = peer.sample(0, "test", java.util.Map.of());
            assertThat(sample.gatewayReadings()).isEqualTo(sample.storedReadings()).isGreaterThanOrEqualTo(1_000);
            assertThat(peer.versions()).containsEntry("node-red", "4.1.8").containsEntry("protobufjs", "8.8.1")
                    .containsEntry("node-red-contrib-influxdb", "0.7.0");
        }
    }
}
