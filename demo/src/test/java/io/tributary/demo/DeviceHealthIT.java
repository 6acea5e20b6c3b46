package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.domain.InfluxQLQuery;
import com.influxdb.query.InfluxQLQueryResult;
import io.tributary.contract.Topics;
import io.tributary.processor.ProcessorMain;
import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.fleet.FleetPlan;
import io.tributary.simulator.ledger.DeviceLedger;
import io.tributary.simulator.scenario.ScenarioLoader;
import io.tributary.simulator.transport.VertxMqttTransport;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor's {@code device_health} against the simulator's ledger, on the real local stack: a device that skips
 * sequence numbers, one that replays acknowledged batches and one whose clock is behind each show in InfluxDB with
 * exactly the counts the ledger recorded; and the gaps of a fleet are counted exactly once when a processor instance
 * is killed with SIGKILL in the middle of the run.
 */
class DeviceHealthIT {

    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final String GENERIC = "kind: generic, sensors: 2, sample-interval: 100ms, batch-size: 5";

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void shouldShowEachInjectedFaultWithTheCountsOfTheLedger() throws Exception {
        try (Pipeline pipeline = Pipeline.start(PipelineOptions.defaults())) {
            // Given one device that skips 3 numbers every 5 batches, one that re-sends its latest 4 acknowledged
            // batches every 8, one whose clock is 30 s behind, and two without faults; a batch every 500 ms each
            Fleet fleet = fleet(pipeline, "faults", """
                    profiles:
                      - {name: gaps, devices: 1, %1$s}
                      - {name: replays, devices: 1, %1$s}
                      - {name: skewed, devices: 1, %1$s}
                      - {name: plain, devices: 2, %1$s}
                    anomalies:
                      - {type: seq-gap, profile: gaps, at: 2s, duration: 1h, skip: 3, every-batches: 5}
                      - {type: replay, profile: replays, at: 2s, duration: 1h, batches: 4, every-batches: 8}
                      - {type: clock-skew, profile: skewed, at: 0s, duration: 1h, offset: -30s}
                    """.formatted(GENERIC));

            // When it runs for 12 s
            fleet.start();
            Thread.sleep(12_000);
            assertThat(fleet.stop(SETTLE)).as("every batch settled").isTrue();
            assertThat(pipeline.awaitProcessorCaughtUp(SETTLE)).isTrue();

            // Then device_health holds exactly what each device caused
            Map<String, DeviceLedger.Snapshot> ledger = fleet.ledger().snapshot();
            String prefix = fleet.config().devicePrefix();
            DeviceLedger.Snapshot gaps = ledger.get(prefix + "00001");
            DeviceLedger.Snapshot replays = ledger.get(prefix + "00002");
            DeviceLedger.Snapshot skewed = ledger.get(prefix + "00003");
            assertThat(gaps.skippedSeqs()).as("numbers skipped").isGreaterThanOrEqualTo(9);
            assertThat(replays.replayedBatches()).as("batches replayed").isGreaterThanOrEqualTo(8);
            assertThat(skewed.clockSkewMillis()).isEqualTo(-30_000);
            Map<String, Map<String, Long>> health = awaitCounters(pipeline, prefix, expectedCounters(ledger));
            Map<String, Double> skew = skewPerDevice(pipeline, prefix);
            System.out.printf("DEVICE-HEALTH gaps-device=%s replay-device=%s skew-ms=%s%n", health.get(gaps.deviceId()),
                    health.get(replays.deviceId()), skew);
            assertThat(skew.get(skewed.deviceId())).as("skew of the device 30 s behind").isBetween(-31_000.0, -29_000.0);
            ledger.values().stream().filter(d -> d != skewed).forEach(d ->
                    assertThat(skew.get(d.deviceId())).as("skew of %s", d.deviceId()).isBetween(-1_000.0, 1_000.0));
        }
    }

    @Test
    void shouldCountEveryGapOnceWhenAProcessorInstanceIsKilledMidRun() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), "rules:\n  - name: temperature_any\n"
                + "    sensor: temperature\n    above: -100\n    clear: -200\n    severity: info\n");
        PipelineOptions options = new PipelineOptions(null, null, 4, Topics.DEFAULT_PREFIX, rules,
                PipelineOptions.DEMO_ROLLUP_GRACE, null);
        try (Pipeline pipeline = Pipeline.start(options)) {
            // Given a second processor instance in its own JVM, sharing the partitions with the pipeline's own
            int httpPort = freePort();
            Process b = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), ProcessorMain.class.getName(),
                    "--kafka-bootstrap", pipeline.kafkaBootstrapServers(), "--topic-prefix", Topics.DEFAULT_PREFIX,
                    "--group", Pipeline.WRITER_GROUP, "--influx-url", pipeline.influx().url(),
                    "--influx-token", pipeline.influx().token(), "--influx-org", pipeline.influx().org(),
                    "--influx-bucket", pipeline.influx().bucket(), "--rules", rules.toString(),
                    "--http-port", Integer.toString(httpPort), "--set", "kafka.session-timeout=6s",
                    // the same topology as the pipeline's instance
                    "--set", "rollups.windows=10s,1m", "--set", "rollups.grace=" + PipelineOptions.DEMO_ROLLUP_GRACE.toSeconds() + "s",
                    // a SIGKILLed instance cannot remove its state directory: keep it where JUnit cleans up
                    "--set", "streams.state-dir=" + dir.resolve("state-b"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("instance-b.log").toFile()).start();
            try {
                await().atMost(SETTLE).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
                // And eight devices that each skip 2 numbers every 3 batches, a batch every 500 ms
                Fleet fleet = fleet(pipeline, "killed", """
                        profiles:
                          - {name: gaps, devices: 8, %1$s}
                        anomalies:
                          - {type: seq-gap, at: 1s, duration: 1h, skip: 2, every-batches: 3}
                        """.formatted(GENERIC));
                fleet.start();

                // When the second instance has counted gaps, it is killed (no commit, no close), and the fleet runs on
                await().atMost(SETTLE).pollInterval(Duration.ofMillis(200)).until(() -> gapsCountedBy(httpPort) > 0);
                Thread.sleep(3_000);
                double gapsCountedByB = gapsCountedBy(httpPort);
                b.destroyForcibly();
                b.waitFor();
                Thread.sleep(12_000);
                assertThat(fleet.stop(SETTLE)).as("every batch settled").isTrue();
                assertThat(pipeline.awaitProcessorCaughtUp(SETTLE)).isTrue();

                // Then every device's gaps are exactly the numbers it skipped: none lost, none counted twice
                Map<String, DeviceLedger.Snapshot> ledger = fleet.ledger().snapshot();
                Map<String, Map<String, Long>> health = awaitCounters(pipeline, fleet.config().devicePrefix(),
                        expectedCounters(ledger));
                long skipped = ledger.values().stream().mapToLong(DeviceLedger.Snapshot::skippedSeqs).sum();
                System.out.printf("DEVICE-HEALTH-KILL skipped=%d gaps-counted-by-killed-instance=%.0f health=%s%n",
                        skipped, gapsCountedByB, health);
                assertThat(gapsCountedByB).as("the killed instance had counted gaps of its own").isPositive();
            } finally {
                b.destroyForcibly();
            }
        }
    }

    private static Fleet fleet(Pipeline pipeline, String runId, String scenario) throws Exception {
        FleetPlan plan = new FleetPlan(pipeline.mqttServerUri(), runId,
                ScenarioLoader.parse("name: " + runId + "\nseed: 5\nconnect-rate: 100\n" + scenario), 10,
                Duration.ofSeconds(60));
        Map<String, byte[]> secrets = pipeline.provision(plan.deviceIds());
        return new Fleet(plan, new VertxMqttTransport(plan.mqttServerUri(), secrets::get));
    }

    /**
     * What each device's {@code device_health} must hold after the run. Without re-sends (no lost PUBACK, no timeout)
     * every duplicate the processor sees is a deliberate copy, and every batch arrived once more per copy.
     */
    private static Map<String, Map<String, Long>> expectedCounters(Map<String, DeviceLedger.Snapshot> ledger) {
        Map<String, Map<String, Long>> expected = new TreeMap<>();
        for (DeviceLedger.Snapshot d : ledger.values()) {
            assertThat(d.retries()).as("re-sends of %s (the counts below assume none)", d.deviceId()).isZero();
            assertThat(d.duplicateAcks()).as("acknowledged copies of %s", d.deviceId()).isEqualTo(d.replayedBatches());
            expected.put(d.deviceId(), new TreeMap<>(Map.of("batches", d.publishedBatches() + d.duplicateAcks(),
                    "gaps", d.skippedSeqs(), "duplicates", d.replayedBatches(), "late", 0L, "restarts", 0L,
                    "reported_dropped", 0L, "last_seq", d.highestAckedSeq())));
        }
        return expected;
    }

    /** Health is emitted every 10 s and then written: asks until it matches or time is up, then asserts. */
    private static Map<String, Map<String, Long>> awaitCounters(Pipeline pipeline, String prefix,
            Map<String, Map<String, Long>> expected) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Map<String, Map<String, Long>> actual = counters(pipeline, prefix);
        while (!actual.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            actual = counters(pipeline, prefix);
        }
        assertThat(actual).as("device_health counters per device").isEqualTo(expected);
        return actual;
    }

    private static Map<String, Map<String, Long>> counters(Pipeline pipeline, String prefix) {
        List<String> fields = List.of("batches", "gaps", "duplicates", "late", "restarts", "reported_dropped",
                "last_seq");
        Map<String, Map<String, Long>> result = new TreeMap<>();
        latest(pipeline, prefix, fields).forEach((device, values) -> {
            Map<String, Long> counters = new TreeMap<>();
            values.forEach((field, value) -> counters.put(field, value.longValueExact()));
            result.put(device, counters);
        });
        return result;
    }

    private static Map<String, Double> skewPerDevice(Pipeline pipeline, String prefix) {
        Map<String, Double> result = new TreeMap<>();
        latest(pipeline, prefix, List.of("skew_ms")).forEach((device, values) ->
                result.put(device, values.get("skew_ms").doubleValue()));
        return result;
    }

    /** The latest value of each field per device, for the devices whose id starts with {@code prefix}. */
    private static Map<String, Map<String, BigDecimal>> latest(Pipeline pipeline, String prefix, List<String> fields) {
        StringBuilder select = new StringBuilder();
        for (String field : fields) {
            select.append(select.isEmpty() ? "" : ", ").append("last(\"").append(field).append("\") AS \"")
                    .append(field).append('"');
        }
        String query = "SELECT " + select + " FROM \"device_health\" WHERE \"device\" =~ /^" + prefix
                + "/ GROUP BY \"device\"";
        Map<String, Map<String, BigDecimal>> result = new TreeMap<>();
        try (InfluxDBClient client = InfluxDBClientFactory.create(pipeline.influx().url(),
                pipeline.influx().token().toCharArray(), pipeline.influx().org(), pipeline.influx().bucket())) {
            InfluxQLQueryResult answer = client.getInfluxQLQueryApi()
                    .queryJSON(new InfluxQLQuery(query, pipeline.influx().bucket()));
            if (answer == null) {
                return result;
            }
            for (InfluxQLQueryResult.Result statement : answer.getResults()) {
                for (InfluxQLQueryResult.Series series : statement.getSeries()) {
                    for (InfluxQLQueryResult.Series.Record record : series.getValues()) {
                        Map<String, BigDecimal> values = new TreeMap<>();
                        fields.forEach(f -> values.put(f, new BigDecimal(String.valueOf(record.getValueByKey(f)))));
                        result.put(series.getTags().get("device"), values);
                    }
                }
            }
        }
        return result;
    }

    /** The gaps the instance on {@code port} has counted, from its {@code /metrics}. */
    private double gapsCountedBy(int port) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("tributary_device_health_gaps_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
