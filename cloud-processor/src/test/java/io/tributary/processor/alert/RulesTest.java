package io.tributary.processor.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.proto.v1.AlertEvent.AlertState;
import io.tributary.proto.v1.AlertEvent.Severity;

class RulesTest {

    final RulesParser parser = new RulesParser();

    @Test
    void shouldParseThresholdAndNoDataRulesWithDefaults() throws Exception {
        RuleSet rules = parser.parse("""
                rules:
                  - name: hot
                    device: "pi-*"
                    sensor: cpu_temp
                    above: 80
                    clear: 75.5
                    for: 30s
                    severity: critical
                  - {name: cold, below: -5}
                  - {name: silent, no-data-for: 2m}
                """);
        assertThat(rules.rules()).hasSize(3);
        AlertRule.Threshold hot = (AlertRule.Threshold) rules.rules().get(0);
        assertThat(hot.direction()).isEqualTo(AlertRule.Direction.ABOVE);
        assertThat(hot.threshold()).isEqualTo(80);
        assertThat(hot.clear()).isEqualTo(75.5);
        assertThat(hot.forDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(hot.severity()).isEqualTo(Severity.CRITICAL);
        AlertRule.Threshold cold = (AlertRule.Threshold) rules.rules().get(1);
        assertThat(cold.clear()).isEqualTo(-5);
        assertThat(cold.severity()).isEqualTo(Severity.WARNING);
        assertThat(cold.appliesTo("any", "thing")).isTrue();
        assertThat(rules.noDataRules()).singleElement()
                .satisfies(r -> assertThat(r.silence()).isEqualTo(Duration.ofMinutes(2)));
        assertThat(rules.thresholdRulesFor("pi-3", "cpu_temp")).extracting(AlertRule::name)
                .containsExactly("hot", "cold");
        assertThat(rules.thresholdRulesFor("x-3", "cpu_temp")).extracting(AlertRule::name).containsExactly("cold");
        assertThat(parser.parse("")).isSameAs(RuleSet.EMPTY);
    }

    @Test
    void shouldRejectInvalidFilesWithAMessageNamingRuleAndKey() {
        assertInvalid("rules: [{name: a, above: 1, below: 2}]", "rule #1 'a': exactly one of");
        assertInvalid("rules: [{name: a}]", "exactly one of");
        assertInvalid("rules: [{name: a, above: x}]", "'above' must be a finite number");
        assertInvalid("rules: [{name: a, above: 1, for: soon}]", "'for'");
        assertInvalid("rules: [{name: a, above: 1, treshold: 2}]", "unknown or misplaced key 'treshold'");
        assertInvalid("rules: [{name: a, above: 10, clear: 11}]", "clear (11.0) must not be above");
        assertInvalid("rules: [{name: a, below: 10, clear: 9}]", "must not be below");
        assertInvalid("rules: [{name: a, above: 1, severity: panic}]", "'severity' must be info, warning or critical");
        assertInvalid("rules: [{name: a, above: 1}, {name: a, below: 1}]", "duplicate rule name 'a'");
        assertInvalid("rules: [{name: a, no-data-for: 0s}]", "no-data-for must be a positive duration");
        assertInvalid("rules: [{name: a, no-data-for: 1m, above: 3}]", "misplaced key 'above'");
        assertInvalid("rules: [{above: 3}]", "'name' is required");
        assertInvalid("rule: []", "unknown top-level key 'rule'");
        assertInvalid("rules: [{name: a, above: 1", "not valid YAML");
    }

    @Test
    void shouldMatchGlobs() {
        assertThat(Glob.of("pi-*").matches("pi-12")).isTrue();
        assertThat(Glob.of("pi-*").matches("xpi-12")).isFalse();
        assertThat(Glob.of("room-?").matches("room-1")).isTrue();
        assertThat(Glob.of("room-?").matches("room-10")).isFalse();
        assertThat(Glob.of("a.b").matches("aXb")).as("'.' is literal").isFalse();
        assertThat(Glob.of("a.b").matches("a.b")).isTrue();
        assertThat(Glob.of("*").matches("")).isTrue();
        assertThat(Glob.of("*").matches("any\nthing")).isTrue();
        assertThat(Glob.of("pi-7").matches("pi-7")).isTrue();
        assertThat(Glob.of("pi-7").matches("pi-70")).isFalse();
        assertThat(Glob.of("*-7").matches("pi-7")).isTrue();
        assertThat(Glob.of("*-7").matches("pi-70")).isFalse();
    }

    @Test
    void shouldGiveEachDeviceItsNoDataRulesInFileOrder() throws Exception {
        RuleSet rules = parser.parse("""
                rules:
                  - {name: pis_silent, device: "pi-*", no-data-for: 1m}
                  - {name: hot, above: 30}
                  - {name: one_silent, device: pi-7, no-data-for: 5m}
                  - {name: all_silent, no-data-for: 10m}
                """);
        assertThat(rules.noDataRulesFor("pi-7")).extracting(AlertRule::name)
                .containsExactly("pis_silent", "one_silent", "all_silent");
        assertThat(rules.noDataRulesFor("pi-8")).extracting(AlertRule::name)
                .containsExactly("pis_silent", "all_silent");
        assertThat(rules.noDataRulesFor("gw-1")).extracting(AlertRule::name).containsExactly("all_silent");
        assertThat(rules.noDataRulesFor("pi-7")).as("cached").isSameAs(rules.noDataRulesFor("pi-7"));
        assertThat(RuleSet.EMPTY.noDataRulesFor("pi-7")).isEmpty();
    }

    @Test
    void shouldWalkTheThresholdStateMachine() {
        AlertRule.Threshold rule = new AlertRule.Threshold("r", Glob.of("*"), Glob.of("*"),
                AlertRule.Direction.ABOVE, 10, 8, Duration.ofNanos(100), Severity.INFO, Map.of());
        ThresholdEvaluator.Step s = ThresholdEvaluator.evaluate(rule, AlertStatus.OK, 11, 1_000);
        assertThat(s.next().phase()).isEqualTo(AlertStatus.Phase.PENDING);
        assertThat(s.event()).isNull();
        s = ThresholdEvaluator.evaluate(rule, s.next(), 12, 1_100);
        assertThat(s.event()).isEqualTo(AlertState.FIRING);
        AlertStatus firing = s.next();
        assertThat(ThresholdEvaluator.evaluate(rule, firing, 9, 1_200).event()).isNull();
        assertThat(ThresholdEvaluator.evaluate(rule, firing, 8, 1_050).event()).as("older reading ignored").isNull();
        s = ThresholdEvaluator.evaluate(rule, firing, 8, 1_200);
        assertThat(s.event()).isEqualTo(AlertState.RESOLVED);
        assertThat(s.next()).isEqualTo(AlertStatus.OK);
        assertThat(AlertStatus.fromBytes(firing.toBytes())).isEqualTo(firing);
    }

    @Test
    void shouldReloadChangedRulesAndKeepOldRulesWhenTheFileBecomesInvalid(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, "rules: [{name: a, above: 1}]");
        try (RulesFileWatcher watcher = new RulesFileWatcher(file, Duration.ofHours(1))) {
            assertThat(watcher.get().rules()).extracting(AlertRule::name).containsExactly("a");
            assertThat(watcher.check()).isFalse();

            Files.writeString(file, "rules: [{name: b, below: 1}]");
            assertThat(watcher.check()).isTrue();
            assertThat(watcher.get().rules()).extracting(AlertRule::name).containsExactly("b");

            Files.writeString(file, "rules: [{name: c, above: nope}]");
            assertThat(watcher.check()).isFalse();
            assertThat(watcher.get().rules()).extracting(AlertRule::name).containsExactly("b");
            assertThat(watcher.lastError()).hasValueSatisfying(m -> assertThat(m).contains("'above' must be"));

            Files.delete(file);
            assertThat(watcher.check()).isFalse();
            assertThat(watcher.get().rules()).extracting(AlertRule::name).containsExactly("b");
        }
    }

    @Test
    void shouldRefuseToStartWithAnInvalidRulesFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, "rules: [{name: a}]");
        assertThatThrownBy(() -> new RulesFileWatcher(file, Duration.ofSeconds(1)))
                .isInstanceOf(RulesParser.InvalidRulesException.class);
    }

    @Test
    void shouldSelectDevicesByAllTheLabelsOfMatchAsWellAsByTheirIdGlob() throws Exception {
        RuleSet rules = parser.parse("""
                rules:
                  - {name: motor_hot, device: "m-*", sensor: temp, above: 80, match: {site: plant-3, kind: motor}}
                  - {name: line_silent, no-data-for: 1m, match: {line: 3}}
                  - {name: any_hot, sensor: temp, above: 90}
                """);
        Map<String, String> motor = Map.of("site", "plant-3", "kind", "motor", "line", "3");
        assertThat(rules.matchesLabels()).isTrue();
        assertThat(rules.thresholdRulesFor("m-1", motor, "temp")).extracting(AlertRule::name)
                .containsExactly("motor_hot", "any_hot");
        assertThat(rules.thresholdRulesFor("m-1", Map.of("site", "plant-3"), "temp")).extracting(AlertRule::name)
                .containsExactly("any_hot");
        assertThat(rules.thresholdRulesFor("x-1", motor, "temp")).extracting(AlertRule::name)
                .as("the id glob still applies").containsExactly("any_hot");
        assertThat(rules.noDataRulesFor("x-1", motor)).extracting(AlertRule::name).containsExactly("line_silent");
        assertThat(rules.noDataRulesFor("x-1", Map.of())).isEmpty();
        assertThat(parser.parse("rules: [{name: a, above: 1}]").matchesLabels()).isFalse();
    }

    @Test
    void shouldRejectAnInvalidMatchNamingTheRule() {
        assertInvalid("rules: [{name: a, above: 1, match: plant-3}]", "rule #1 'a': 'match' must be a mapping");
        assertInvalid("rules: [{name: a, above: 1, match: {}}]", "'match' must be a mapping");
        assertInvalid("rules: [{name: a, above: 1, match: {Site: x}}]", "rule #1 'a': match: label key 'Site'");
        assertInvalid("rules: [{name: a, above: 1, match: {device: x}}]", "'device' is reserved");
        assertInvalid("rules: [{name: a, above: 1, match: {site: \"a b\"}}]", "value 'a b'");
        assertInvalid("rules: [{name: a, no-data-for: 1m, match: {site: [a, b]}}]", "label site must have one value");
    }

    private void assertInvalid(String yaml, String expectedMessagePart) {
        assertThatThrownBy(() -> parser.parse(yaml)).as(yaml).isInstanceOf(RulesParser.InvalidRulesException.class)
                .hasMessageContaining(expectedMessagePart);
    }
}
