package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tributary.contract.Topics;
import io.tributary.localstack.kafka.KafkaCluster;
import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.Rollup;
import io.tributary.simulator.config.SimulatorConfig;
import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.transport.VertxMqttTransport;
import io.tributary.simulator.verify.InfluxVerifier;
import io.tributary.simulator.verify.VerificationReport;
import io.tributary.testing.kafka.KafkaTestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker killed mid-stream. A provisioned fleet publishes through the gateway and the processor on three Kafka
 * brokers, each its own process (replication factor 3, min.insync.replicas 2); the broker leading most telemetry
 * partitions is killed with SIGKILL and restarted 20 s later (or once both services named it). Then the simulator's
 * ledger against InfluxDB shows no acknowledged reading lost and none stored twice; the rollups and alerts topics (read
 * committed) hold every window and transition once, and the rollups count every stored reading that was not late; and
 * the gateway and the processor, which named the dead broker while it was down, are ready again without a restart.
 */
class BrokerFailoverIT {

    private static final int DEVICES = 30;
    private static final Duration BEFORE_KILL = Duration.ofSeconds(15);
    private static final Duration DOWN = Duration.ofSeconds(20);
    /** The controller fences a dead broker after broker.session.timeout.ms (3 s, ADR 0013); services poll each 5 s. */
    private static final Duration NAMED = Duration.ofSeconds(40);
    private static final Duration AFTER_RESTART = Duration.ofSeconds(10);
    private static final Duration SETTLE = Duration.ofSeconds(90);

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void shouldLoseAndDoubleNothingWhenTheBrokerLeadingMostTelemetryPartitionsIsKilled() throws Exception {
        // Noise around 2.0 flips this rule back and forth, so alert transitions happen around the kill too
        Path rules = Files.writeString(dir.resolve("rules.yaml"), "rules:\n  - name: vibration_high\n"
                + "    sensor: vibration\n    above: 2.0\n    clear: 1.9\n    severity: warning\n");
        // The rollup grace is longer than the outage: a batch held back by the leader change is not late for its window
        PipelineOptions options = new PipelineOptions(null, null, 6, Topics.DEFAULT_PREFIX, rules,
                Duration.ofSeconds(20), null);
        try (Pipeline pipeline = Pipeline.start(options, 3)) {
            KafkaCluster cluster = pipeline.kafkaCluster().orElseThrow();
            String telemetry = pipeline.topics().telemetry();
            // Given a fleet whose 5th sensor is vibration, publishing every 250 ms
            SimulatorConfig config = new SimulatorConfig(pipeline.mqttServerUri(), DEVICES, "failover", 5,
                    Duration.ofMillis(250), 2, 20, Duration.ofSeconds(60));
            Fleet fleet = new Fleet(config, new VertxMqttTransport(config.mqttServerUri(),
                    pipeline.provision(config.deviceIds())::get));
            fleet.start();
            Thread.sleep(BEFORE_KILL.toMillis());
            assertThat(fleet.ledger().totals().publishedBatches()).as("the fleet publishes").isPositive();

            // When the broker leading most telemetry partitions dies, and comes back 20 s later
            int victim = cluster.leaderOfMostPartitions(telemetry);
            Map<Integer, Integer> leadersBefore = cluster.leaders(telemetry);
            long killed = System.nanoTime();
            cluster.kill(victim);
            String down = "brokers down: " + victim + " (127.0.0.1:";
            await().atMost(NAMED).pollInterval(Duration.ofMillis(200))
                    .until(() -> body(pipeline.gateway().httpPort()).contains(down));
            double namedAfter = (System.nanoTime() - killed) / 1e9;
            await().atMost(NAMED).until(() -> body(pipeline.processor().httpPort().orElseThrow()).contains(down));
            assertThat(cluster.leaders(telemetry)).as("leadership moved off the dead broker").doesNotContainValue(victim)
                    .doesNotContainValue(-1);
            long ackedWhileDown = fleet.ledger().totals().publishedBatches();
            Thread.sleep(Math.max(0, DOWN.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed)));
            assertThat(fleet.ledger().totals().publishedBatches()).as("acknowledged while the broker is down")
                    .isGreaterThan(ackedWhileDown);
            cluster.restart(victim);
            cluster.awaitInSync(telemetry);
            Thread.sleep(AFTER_RESTART.toMillis());
            assertThat(fleet.stop(SETTLE)).as("every batch settled").isTrue();

            // Then nothing acknowledged is lost and nothing stored twice
            assertThat(pipeline.awaitProcessorCaughtUp(SETTLE)).as("processor caught up").isTrue();
            VerificationReport report;
            try (InfluxVerifier verifier = new InfluxVerifier(pipeline.influx())) {
                report = verifier.verifyWithin(config.devicePrefix(), fleet.ledger()::snapshot, SETTLE);
            }
            assertThat(report.lostReadings()).as("acknowledged readings lost: %s", report).isZero();
            assertThat(report.unexplainedExtra()).as("readings stored twice: %s", report).isZero();
            assertThat(report.storedReadings()).isEqualTo(report.publishedReadings());

            // And every rollup window and alert transition was emitted once: no 10 s rollup counts a reading twice,
            // and all but the late ones (a Streams stall longer than the grace makes readings late: stored, not rolled
            // up, counted) are rolled up
            Map<String, Long> stored = storedPerDevice(pipeline, config);
            long storedTotal = report.storedReadings();
            await().atMost(SETTLE).untilAsserted(() -> {
                long late = pipeline.processor().meters().count("late.readings"); // grows while Streams catches up
                Map<String, Long> rolled = rolledUpPerDevice(pipeline, "10s");
                rolled.forEach((device, count) -> assertThat(count).as("rolled up of %s", device)
                        .isLessThanOrEqualTo(stored.getOrDefault(device, 0L)));
                assertThat(storedTotal - rolled.values().stream().mapToLong(Long::longValue).sum())
                        .as("stored readings not in a 10 s rollup").isLessThanOrEqualTo(late);
            });
            long late = pipeline.processor().meters().count("late.readings");
            int transitions = assertEachTransitionOnce(pipeline);

            // And the gateway and the processor work on without a restart
            await().atMost(SETTLE).until(() -> pipeline.gateway().ready() && pipeline.processor().isReady());
            assertThat(pipeline.processor().failure()).isEmpty();
            assertThat(body(pipeline.gateway().httpPort())).isEqualTo("ready\n");
            System.out.printf("FAILOVER victim=%d leaders-before=%s named-after=%.1fs readings=%d transitions=%d"
                    + " late=%d puback-p99=%.0fms puback-max=%.0fms lost=%d doubled=%d%n", victim, leadersBefore,
                    namedAfter, report.storedReadings(), transitions, late, fleet.pubackLatency().percentileMillis(99),
                    fleet.pubackLatency().maxMillis(), report.lostReadings(), report.unexplainedExtra());
        }
    }

    private static Map<String, Long> storedPerDevice(Pipeline pipeline, SimulatorConfig config) {
        try (InfluxVerifier verifier = new InfluxVerifier(pipeline.influx())) {
            return verifier.storedReadingsPerDevice(config.devicePrefix());
        }
    }

    /** Readings per device summed over the rollups of one window size; a window emitted twice fails. */
    private static Map<String, Long> rolledUpPerDevice(Pipeline pipeline, String window)
            throws InvalidProtocolBufferException {
        Set<String> windows = new HashSet<>();
        Map<String, Long> readings = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> record : KafkaTestTopics.committedRecords(
                pipeline.kafkaBootstrapServers(), pipeline.topics().rollups())) {
            Rollup rollup = Rollup.parseFrom(record.value());
            String id = rollup.getDeviceId() + "/" + rollup.getSensor() + "/" + rollup.getWindow() + "@"
                    + rollup.getWindowStartUnixNanos();
            assertThat(windows.add(id)).as("rollup emitted once: %s", id).isTrue();
            if (rollup.getWindow().equals(window)) {
                readings.merge(rollup.getDeviceId(), rollup.getCount(), Long::sum);
            }
        }
        return readings;
    }

    /** Each device's transitions alternate firing and resolved (a doubled one would not) and match storage. */
    private static int assertEachTransitionOnce(Pipeline pipeline) throws Exception {
        Map<String, List<AlertEvent.AlertState>> states = new HashMap<>();
        Set<String> transitions = new HashSet<>();
        for (ConsumerRecord<String, byte[]> record : KafkaTestTopics.committedRecords(
                pipeline.kafkaBootstrapServers(), pipeline.topics().alerts())) {
            AlertEvent alert = AlertEvent.parseFrom(record.value());
            String id = alert.getDeviceId() + "/" + alert.getRule() + "@" + alert.getTransitionTimeUnixNanos();
            assertThat(transitions.add(id)).as("transition emitted once: %s", id).isTrue();
            states.computeIfAbsent(alert.getDeviceId() + "/" + alert.getRule(), k -> new ArrayList<>())
                    .add(alert.getState());
        }
        assertThat(transitions).as("alert transitions during the run").isNotEmpty();
        states.forEach((alert, sequence) -> {
            for (int i = 0; i < sequence.size(); i++) {
                assertThat(sequence.get(i)).as("transition %d of %s", i, alert)
                        .isEqualTo(i % 2 == 0 ? AlertEvent.AlertState.FIRING : AlertEvent.AlertState.RESOLVED);
            }
        });
        return transitions.size();
    }

    private String body(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
