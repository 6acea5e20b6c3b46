package io.tributary.simulator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.simulator.fleet.FleetPlan;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FleetOptionsTest {

    private static final String URI = "tcp://localhost:1883";

    @Test
    void withoutFlagsTheCallersDefaultScenarioRuns() {
        FleetPlan plan = options().plan(URI, "demo");

        assertThat(plan.scenario().name()).isEqualTo("demo");
        assertThat(plan.scenario().anomalies()).isNotEmpty();
    }

    @Test
    void anyFleetFlagMeansOneProfileOfGenericDevicesInstead() {
        FleetPlan plan = options("--devices", "7", "--seed", "9").plan(URI, "demo");

        assertThat(plan.scenario().name()).isEqualTo("flags");
        assertThat(plan.devices()).isEqualTo(7);
        assertThat(plan.scenario().seed()).isEqualTo(9);
        assertThat(options().plan(URI, null).devices()).isEqualTo(FleetOptions.DEFAULT_DEVICES);
    }

    @Test
    void labelsGoToEveryDeviceOfTheFlagsFleetAndAreAFleetFlag() {
        FleetPlan plan = options("--devices", "2", "--label", "site=plant-3", "--label", "kind=motor").plan(URI,
                "demo");

        assertThat(plan.scenario().name()).isEqualTo("flags");
        assertThat(plan.labels()).hasSize(2).allSatisfy((device, labels) -> assertThat(labels)
                .containsExactlyInAnyOrderEntriesOf(Map.of("site", "plant-3", "kind", "motor")));
        assertThatThrownBy(() -> options("--scenario", "demo", "--label", "site=x").plan(URI, null))
                .hasMessage("--label cannot be combined with --scenario: set it in the scenario file");
    }

    @Test
    void aScenarioNamedOnTheCommandLineWinsAndTakesTheSeedOverride() {
        FleetPlan plan = options("--scenario", "steady", "--seed", "5", "--run-id", "r1").plan(URI, "demo");

        assertThat(plan.scenario().name()).isEqualTo("steady");
        assertThat(plan.scenario().seed()).isEqualTo(5);
        assertThat(plan.runId()).isEqualTo("r1");
    }

    @Test
    void refusesAScenarioTogetherWithFleetFlagsAndAnUnknownScenario() {
        assertThatThrownBy(() -> options("--scenario", "demo", "--interval", "2s").plan(URI, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--interval cannot be combined with --scenario: set it in the scenario file");
        assertThatThrownBy(() -> options("--scenario", "nope").plan(URI, null))
                .hasMessageStartingWith("invalid scenario: no scenario file nope");
    }

    private static FleetOptions options(String... args) {
        return CommandLine.populateCommand(new FleetOptions(), args);
    }
}
