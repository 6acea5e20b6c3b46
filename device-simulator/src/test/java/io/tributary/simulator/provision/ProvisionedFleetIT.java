package io.tributary.simulator.provision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.contract.metadata.DeviceLabels;
import io.tributary.contract.metadata.DeviceMetadataReader;
import io.tributary.gateway.Gateway;
import io.tributary.gateway.GatewayConfig;
import io.tributary.localstack.kafka.EmbeddedKafka;
import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.fleet.FleetPlan;
import io.tributary.simulator.ledger.DeviceLedger;
import io.tributary.simulator.scenario.Scenario;
import io.tributary.simulator.scenario.ScenarioLoader;
import io.tributary.simulator.transport.VertxMqttTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provisioned fleet through a real gateway that authenticates against the registry on a real Kafka: devices connect
 * with their own secrets, a malformed payload gets 0x99 and is ledgered as refused, a duplicate publish is acknowledged
 * twice and ledgered once, a reconnect storm loses nothing; a profile's labels are in the device metadata topic.
 */
class ProvisionedFleetIT {

    private static final String PREFIX = "simit.";
    private static final String SCENARIO = """
            name: provisioned
            seed: 3
            connect-rate: 50
            profiles:
              - name: rooms
                kind: environment
                devices: 4
                sample-interval: 100ms
                batch-size: 5
                labels: {site: plant-3, kind: room}
              - name: meters
                kind: battery
                devices: 2
                sample-interval: 500ms
                batch-size: 1
            anomalies:
              - type: malformed
                profile: meters
                devices: 1
                at: 0s
                duration: 2s
              - type: duplicate
                profile: rooms
                devices: 2
                at: 0s
                duration: 2s
              - type: reconnect-storm
                profile: rooms
                at: 1s
                duration: 1s
                every: 500ms
            """;

    @TempDir
    Path kafkaDir;

    @Test
    void shouldConnectWithOwnSecretsAndLedgerRefusalsAndDuplicates() throws Exception {
        Scenario scenario = ScenarioLoader.parse(SCENARIO);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir)) {
            kafka.createTopics(1, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "device-status");
            Gateway gateway = new Gateway(GatewayConfig.builder()
                    .mqttHost("127.0.0.1")
                    .mqttPort(0)
                    .httpPort(-1)
                    .authentication(GatewayConfig.Authentication.REGISTRY)
                    .kafkaBootstrapServers(kafka.bootstrapServers())
                    .topicPrefix(PREFIX)
                    .verticleInstances(1).build());
            try {
                FleetPlan plan = new FleetPlan("tcp://127.0.0.1:" + startedPort(gateway), "it1", scenario, 10,
                        Duration.ofSeconds(30));
                FleetProvisioner provisioner = FleetProvisioner.connect(kafka.bootstrapServers(), PREFIX, Map.of(),
                        Duration.ofSeconds(30));
                Map<String, byte[]> secrets;
                try {
                    secrets = provisioner.provision(plan.deviceIds(), plan.labels());
                } finally {
                    provisioner.close();
                }
                assertThat(secrets).hasSize(6);
                Map<String, DeviceLabels> labels = DeviceMetadataReader.read(Map.of("bootstrap.servers",
                        kafka.bootstrapServers()), PREFIX + "device-metadata", Duration.ofSeconds(20)).labels();
                assertThat(labels).containsOnlyKeys("sim-it1-00001", "sim-it1-00002", "sim-it1-00003",
                        "sim-it1-00004"); // the meters' profile has no labels
                assertThat(labels.get("sim-it1-00004").labels()).containsExactly(Map.entry("kind", "room"),
                        Map.entry("site", "plant-3"));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> plan.deviceIds().stream().allMatch(gateway::knowsDevice));

                Fleet fleet = new Fleet(plan, new VertxMqttTransport(plan.mqttServerUri(), secrets::get));
                fleet.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> fleet.connectedDevices() == 6);
                Thread.sleep(3_000);
                assertThat(fleet.stop(Duration.ofSeconds(20))).isTrue();

                Map<String, DeviceLedger.Snapshot> ledger = fleet.ledger().snapshot();
                DeviceLedger.Snapshot malformed = ledger.get("sim-it1-00005");
                assertThat(malformed.rejectedBatches()).isPositive();
                assertThat(malformed.rejectedRanges()).startsWith("1");
                assertThat(malformed.unsettled().isEmpty()).isTrue();
                assertThat(ledger.get("sim-it1-00006").rejectedBatches()).isZero();
                assertThat(ledger.get("sim-it1-00001").duplicateAcks()).isPositive();
                assertThat(ledger.get("sim-it1-00003").duplicateAcks()).isZero();
                for (DeviceLedger.Snapshot device : ledger.values()) {
                    assertThat(device.publishedBatches()).as(device.deviceId()).isPositive();
                    assertThat(device.unsettled().isEmpty()).as(device.deviceId()).isTrue();
                }
                assertThat(fleet.pubackLatency().count()).isPositive();
            } finally {
                gateway.close();
            }
        }
    }

    @Test
    void shouldNotConnectWithoutItsSecret() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir.resolve("2"))) {
            kafka.createTopics(1, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "device-status");
            Gateway gateway = new Gateway(GatewayConfig.builder()
                    .mqttHost("127.0.0.1").mqttPort(0).httpPort(-1)
                    .authentication(GatewayConfig.Authentication.REGISTRY)
                    .kafkaBootstrapServers(kafka.bootstrapServers()).topicPrefix(PREFIX)
                    .verticleInstances(1).build());
            try {
                FleetPlan plan = new FleetPlan("tcp://127.0.0.1:" + startedPort(gateway), "it2",
                        ScenarioLoader.parse("profiles: [{name: a, kind: battery, devices: 1, sample-interval: 100ms}]"),
                        10, Duration.ofSeconds(30));
                FleetProvisioner provisioner = FleetProvisioner.connect(kafka.bootstrapServers(), PREFIX, Map.of(),
                        Duration.ofSeconds(30));
                try {
                    provisioner.provision(plan.deviceIds());
                } finally {
                    provisioner.close();
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> gateway.knowsDevice(plan.deviceId(0)));
                Fleet fleet = new Fleet(plan, new VertxMqttTransport(plan.mqttServerUri(),
                        id -> "not-the-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                fleet.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> fleet.connectFailures() > 0);
                assertThat(fleet.connectedDevices()).isZero();
                fleet.close();
            } finally {
                gateway.close();
            }
        }
    }

    private static int startedPort(Gateway gateway) {
        gateway.start().toCompletableFuture().join();
        return gateway.mqttPort();
    }
}
