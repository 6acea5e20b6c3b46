package io.tributary.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.simulator.sensor.DeviceKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScenarioLoaderTest {

    private static final String VALID = """
            name: test
            seed: 7
            connect-rate: 200
            profiles:
              - name: rooms
                kind: environment
                devices: 4
                sample-interval: 500ms
                batch-size: 4
                labels: {site: plant-3, line: 2}
              - name: motors
                kind: machine
                devices: 2
              - name: meters
                kind: battery
                devices: 3
              - name: plain
                kind: generic
                devices: 1
                sensors: 5
            anomalies:
              - type: spike
                profile: rooms
                devices: 2
                sensor: temperature
                at: 10s
                duration: 20s
                add: 8
                expect-alert: temperature_high
              - type: clock-skew
                at: 5s
                duration: 5s
                offset: -2h
              - type: reconnect-storm
                devices: all
                at: 1m
                duration: 10s
                every: 2s
            """;

    @Test
    void shouldReadProfilesAnomaliesAndDefaults() throws Exception {
        Scenario scenario = ScenarioLoader.parse(VALID);

        assertThat(scenario.name()).isEqualTo("test");
        assertThat(scenario.seed()).isEqualTo(7);
        assertThat(scenario.connectRate()).isEqualTo(200);
        assertThat(scenario.devices()).isEqualTo(10);
        Profile rooms = scenario.profiles().get(0);
        assertThat(rooms.kind()).isEqualTo(DeviceKind.ENVIRONMENT);
        assertThat(rooms.batchInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(rooms.readingsPerBatch()).isEqualTo(12);
        Profile meters = scenario.profiles().get(2);
        assertThat(meters.sampleInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(meters.batchSize()).isEqualTo(1);
        assertThat(scenario.profiles().get(3).sensorCount()).isEqualTo(5);
        assertThat(rooms.labels()).containsExactly(Map.entry("line", "2"), Map.entry("site", "plant-3"));
        assertThat(meters.labels()).isEmpty();

        Anomaly spike = scenario.anomalies().get(0);
        assertThat(spike.amount()).isEqualTo(8);
        assertThat(spike.expectAlert()).isEqualTo("temperature_high");
        assertThat(scenario.devicesOf(spike)).containsExactly(0, 1);
        assertThat(scenario.anomalies().get(1).interval()).isEqualTo(Duration.ofHours(-2));
        assertThat(scenario.devicesOf(scenario.anomalies().get(2))).hasSize(10);
        assertThat(scenario.profileOf(5).name()).isEqualTo("motors");
        assertThat(scenario.anomaliesOf(1)).hasSize(3);
        assertThat(scenario.anomaliesOf(2)).hasSize(2);
    }

    @Test
    void shouldLoadEveryShippedScenario() throws Exception {
        Path dir = Path.of("scenarios");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                assertThat(ScenarioLoader.load(file).devices()).as(file.toString()).isPositive();
            }
        }
        assertThat(dir.resolve("demo.yaml")).exists();
    }

    @Test
    void shouldGiveEveryProfileOfTheDemoASiteAndAKind() throws Exception {
        for (Profile profile : ScenarioLoader.resolve("demo").profiles()) {
            assertThat(profile.labels()).as(profile.name()).containsOnlyKeys("site", "kind");
        }
    }

    @Test
    void shouldResolveEveryShippedScenarioByNameFromTheClasspath() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("scenarios"))) {
            List<String> shipped = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                    .map(f -> f.substring(0, f.length() - ".yaml".length())).sorted().toList();
            assertThat(String.join(", ", shipped)).isEqualTo(ScenarioLoader.BUNDLED_NAMES);
            for (String name : shipped) {
                assertThat(ScenarioLoader.resolve(name).name()).isEqualTo(name);
            }
        }
    }

    @Test
    void shouldPreferAFileOverABundledNameAndExplainAnUnknownName(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("own.yaml"), VALID);
        assertThat(ScenarioLoader.resolve(file.toString()).devices()).isEqualTo(ScenarioLoader.parse(VALID).devices());

        assertThatThrownBy(() -> ScenarioLoader.resolve(dir.toString()))
                .isInstanceOf(ScenarioLoader.InvalidScenarioException.class)
                .hasMessageContaining("no scenario file " + dir);
        assertThatThrownBy(() -> ScenarioLoader.resolve("no-such-scenario"))
                .isInstanceOf(ScenarioLoader.InvalidScenarioException.class)
                .hasMessageContaining("no scenario file no-such-scenario")
                .hasMessageContaining("bundled: " + ScenarioLoader.BUNDLED_NAMES);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown top-level key | VALID.replace('seed: 7', 'sead: 7') | unknown key 'sead'",
        "unknown kind | VALID.replace('kind: machine', 'kind: robot') | profiles[1] 'motors'.kind: must be one of",
        "zero batch size | VALID.replace('batch-size: 4', 'batch-size: 0') | profiles[0] 'rooms': batch-size must be between 1",
        "sensors on a fixed kind | VALID.replace('devices: 2\\n  - name: meters', 'devices: 2\\n    sensors: 3\\n  - name: meters') | 'motors'.sensors: only a generic profile",
        "unknown anomaly type | VALID.replace('type: spike', 'type: meteor') | anomalies[0].type: must be one of",
        "unknown profile in an anomaly | VALID.replace('profile: rooms', 'profile: attic') | profile 'attic' is not one of",
        "sensor the profile lacks | VALID.replace('sensor: temperature', 'sensor: vibration') | sensor 'vibration' is not a sensor of profile 'rooms'",
        "more devices than the profile has | VALID.replace('devices: 2\\n    sensor', 'devices: 9\\n    sensor') | devices is 9 but profile 'rooms' has only 4",
        "a key of another anomaly type | VALID.replace('every: 2s', 'add: 2') | anomalies[2] (reconnect-storm): unknown key 'add'",
        "spike without its amount | VALID.replace('    add: 8\\n', '') | anomalies[0] (spike).add: is required",
        "bad duration | VALID.replace('at: 10s', 'at: soon') | anomalies[0] (spike).at: 'soon' is not a duration",
        "negative start | VALID.replace('at: 10s', 'at: -10s') | at must be a duration of zero or more",
        "storm every too short | VALID.replace('every: 2s', 'every: 10ms') | every must be at least 100ms",
        "devices is text | VALID.replace('devices: 3', 'devices: three') | profiles[2] 'meters'.devices: must be a whole number",
        "duplicate profile name | VALID.replace('name: plain', 'name: rooms') | duplicate profile name 'rooms'",
        "labels not a mapping | VALID.replace('labels: {site: plant-3, line: 2}', 'labels: [site]') | profiles[0] 'rooms'.labels: must be a mapping",
        "label value a list | VALID.replace('line: 2', 'line: [2]') | profiles[0] 'rooms'.labels.line: must be a string",
        "bad label key | VALID.replace('line: 2', 'Line: 2') | profiles[0] 'rooms': label key 'Line' must be",
        "reserved label key | VALID.replace('line: 2', 'sensor: x') | label key 'sensor' is reserved",
        "bad label value | VALID.replace('site: plant-3', 'site: plant 3') | label site: value 'plant 3' must be",
    })
    void shouldRejectABadScenarioNamingTheKey(String why, String edit, String message) {
        String yaml = apply(edit);
        assertThatThrownBy(() -> ScenarioLoader.parse(yaml))
                .as(why)
                .isInstanceOf(ScenarioLoader.InvalidScenarioException.class)
                .hasMessageContaining(message);
    }

    @Test
    void shouldRejectAFileWithoutProfilesOrNotYaml() {
        assertThatThrownBy(() -> ScenarioLoader.parse("name: x\n"))
                .hasMessageContaining("profiles: is required");
        assertThatThrownBy(() -> ScenarioLoader.parse("profiles: [\n"))
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> ScenarioLoader.parse("- a\n- b\n"))
                .hasMessageContaining("expected a mapping");
    }

    /** Evaluates {@code VALID.replace('a', 'b')} with \n escapes. */
    private static String apply(String edit) {
        String inner = edit.substring("VALID.replace('".length(), edit.length() - "')".length());
        String[] parts = inner.split("', '", 2);
        String from = parts[0].replace("\\n", "\n");
        String to = parts[1].replace("\\n", "\n");
        assertThat(VALID).contains(from);
        return VALID.replace(from, to);
    }
}
