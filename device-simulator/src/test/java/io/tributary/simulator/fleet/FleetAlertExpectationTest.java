package io.tributary.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.simulator.ledger.DeviceLedger;
import io.tributary.simulator.scenario.Scenario;
import io.tributary.simulator.scenario.ScenarioLoader;
import io.tributary.simulator.transport.DeviceLink;
import io.tributary.mqtt.PubAck;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** A scenario's alert is expected only once its anomaly has played out while the fleet ran. */
class FleetAlertExpectationTest {

    private static final String SCENARIO = """
            name: alerting
            profiles:
              - name: rooms
                kind: environment
                devices: 2
                sample-interval: 100ms
                batch-size: 1
            anomalies:
              - type: spike
                profile: rooms
                devices: 1
                sensor: temperature
                at: 200ms
                duration: 300ms
                add: 6
                expect-alert: temperature_high
            """;

    @Test
    void expectsTheAlertAfterTheAnomalyEndedAndOnlyForTheDevicesItHit() throws Exception {
        try (Fleet fleet = fleet()) {
            fleet.start();
            assertThat(expected(fleet)).allSatisfy((device, rules) -> assertThat(rules).isEmpty());

            await().atMost(Duration.ofSeconds(5)).until(() -> expected(fleet).values().stream()
                    .anyMatch(rules -> !rules.isEmpty()));
            assertThat(expected(fleet).values()).containsExactlyInAnyOrder(List.of("temperature_high"), List.of());
        }
    }

    @Test
    void aFleetStoppedBeforeTheAnomalyEndedExpectsNothing() throws Exception {
        try (Fleet fleet = fleet()) {
            fleet.start();
            fleet.stop(Duration.ofSeconds(1));
            Thread.sleep(700);

            assertThat(expected(fleet)).allSatisfy((device, rules) -> assertThat(rules).isEmpty());
        }
    }

    private static Fleet fleet() throws Exception {
        Scenario scenario = ScenarioLoader.parse(SCENARIO);
        return new Fleet(new FleetPlan("tcp://localhost:1", "t1", scenario, 10, Duration.ofSeconds(30)),
                deviceId -> new AcceptingConnection());
    }

    private static Map<String, List<String>> expected(Fleet fleet) {
        Map<String, DeviceLedger.Snapshot> snapshot = fleet.ledger().snapshot();
        return snapshot.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().expectedAlerts()));
    }

    /** Connects at once and acknowledges every publish. */
    private static final class AcceptingConnection implements DeviceLink {
        @Override
        public CompletionStage<Void> connect() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<PubAck> publish(String topic, byte[] payload) {
            return CompletableFuture.completedFuture(PubAck.of(0));
        }

        @Override
        public void onConnectionLost(Runnable listener) {
        }

        @Override
        public void close() {
        }
    }
}
