package io.tributary.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.agent.outbox.OutboxSettings;
import io.tributary.agent.sensor.SensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigFileTest {

    @TempDir
    Path dir;

    private static final String VALID = """
            device: {id: pi-7}
            mqtt:
              uri: tcp://gw:1883
              password: s3cret
              backoff-max: 30s
              replay-rate: 5
            batch: {max-readings: 100, max-age: 5s}
            outbox: {dir: /tmp/x, max-bytes: 8MiB, fsync: interval, fsync-interval: 500ms, overflow: drop-newest}
            defaults: {interval: 2s}
            sensors:
              - {name: cpu_temp, type: thermal, zone: 0, unit: degC}
              - {name: load, type: load1, interval: 10s, scale: 2, offset: 1}
              - {name: outdoor, type: ds18b20, id: 28-000005e2fdc3, enabled: false}
              - {name: ext, type: command, command: [echo, "1"], timeout: 2s}
            """;

    @Test
    void shouldLoadAFullConfig() {
        AgentConfig config = AgentConfigFile.parse(VALID, AgentConfigFile.Overrides.NONE);
        assertThat(config.deviceId()).isEqualTo("pi-7");
        assertThat(config.mqtt().username()).isEqualTo("pi-7");
        assertThat(config.mqtt().password()).isEqualTo("s3cret");
        assertThat(config.mqtt().backoffMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.outbox().maxBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(config.outbox().fsync()).isEqualTo(OutboxSettings.FsyncPolicy.INTERVAL);
        assertThat(config.outbox().overflow()).isEqualTo(OutboxSettings.OverflowPolicy.DROP_NEWEST);
        assertThat(config.stateDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(config.sensors()).extracting(SensorSpec::name).containsExactly("cpu_temp", "load", "outdoor", "ext");
        assertThat(config.sensors().get(0).interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.sensors().get(1).scale()).isEqualTo(2.0);
        assertThat(config.sensors().get(2).enabled()).isFalse();
    }

    @Test
    void shouldReadEveryDurationSpellingOfTheOneGrammarAndKeepTheOldOnes() {
        String yaml = VALID.replace("backoff-max: 30s", "backoff-max: 1d\n  keepalive: PT1M30S\n  connect-timeout: 2.5s")
                .replace("max-age: 5s", "max-age: pt5s").replace("interval: 2s", "interval: 3")
                .replace("interval: 10s", "interval: 250 ms").replace("fsync-interval: 500ms", "fsync-interval: 2m");

        AgentConfig config = AgentConfigFile.parse(yaml, AgentConfigFile.Overrides.NONE);

        assertThat(config.mqtt().backoffMax()).isEqualTo(Duration.ofDays(1));
        assertThat(config.mqtt().keepAlive()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.mqtt().connectTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.batchMaxAge()).as("ISO-8601 in lower case, as before").isEqualTo(Duration.ofSeconds(5));
        assertThat(config.sensors().get(0).interval()).as("a YAML number is seconds, as before")
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(config.sensors().get(1).interval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.outbox().fsyncInterval()).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> AgentConfigFile.parse(VALID.replace("max-age: 5s", "max-age: 0"),
                AgentConfigFile.Overrides.NONE)).hasMessage("batch.max-age: must be positive, got '0'");
    }

    @Test
    void shouldLetTheCommandLineOverride() throws Exception {
        Path secret = Files.writeString(dir.resolve("pw.secret"), "pw\n");
        AgentConfig config = AgentConfigFile.parse(VALID, new AgentConfigFile.Overrides("other", null, "ssl://h:8883",
                Path.of("/s"), null, secret));
        assertThat(config.deviceId()).isEqualTo("other");
        assertThat(config.mqtt().password()).isEqualTo("pw");
        assertThat(config.mqtt().serverUri()).isEqualTo("ssl://h:8883");
        assertThat(config.stateDir()).isEqualTo(Path.of("/s"));
    }

    @Test
    void shouldReadSecretsFromFilesWithoutTheirNewlineAndNeverPrintThem() throws Exception {
        Path secret = Files.writeString(dir.resolve("agent.secret"), "  t0p-s3cret\n");
        Path keystoreSecret = Files.writeString(dir.resolve("keystore.secret"), "changeit\n");
        AgentConfig config = AgentConfigFile.parse(VALID.replace("password: s3cret", "password-file: " + secret
                + "\n  client-keystore-password-file: " + keystoreSecret), AgentConfigFile.Overrides.NONE);

        assertThat(config.mqtt().password()).isEqualTo("t0p-s3cret");
        assertThat(config.mqtt().clientKeystorePassword()).isEqualTo("changeit");
        assertThat(config.mqtt().toString()).contains("password=***", "clientKeystorePassword=***")
                .doesNotContain("t0p-s3cret", "changeit");
        assertThat(config.toString()).doesNotContain("t0p-s3cret", "changeit");
        assertThat(new AgentConfigFile.Overrides(null, "embedded-s3cret", null, null, null, null).toString())
                .contains("password=***").doesNotContain("embedded-s3cret");
        assertThat(AgentConfigFile.parse(VALID, new AgentConfigFile.Overrides(null, "embedded", null, null, null,
                null)).mqtt().password()).as("a program embedding the agent may override the password")
                .isEqualTo("embedded");
        assertThat(AgentConfigFile.parse(VALID.replace("password: s3cret", ""), AgentConfigFile.Overrides.NONE).mqtt()
                .toString()).contains("password=\"\"");
    }

    @Test
    void shouldRefuseABadPasswordFileNamingTheKeyButNotTheContent() throws Exception {
        Path twoLines = Files.writeString(dir.resolve("two"), "line-one-secret\nline-two\n");
        Path huge = Files.write(dir.resolve("huge"), new byte[SecretFile.MAX_BYTES + 1]);
        Path notUtf8 = Files.write(dir.resolve("bin"), new byte[] {(byte) 0xC3, (byte) 0x28});

        assertThatThrownBy(() -> AgentConfigFile.parse(VALID, new AgentConfigFile.Overrides(null, null, null, null,
                null, twoLines))).isInstanceOf(ConfigException.class).hasMessageContaining("--password-file")
                .hasMessageContaining("more than one line").hasMessageNotContaining("line-one-secret");
        assertThatThrownBy(() -> AgentConfigFile.parse(VALID.replace("password: s3cret", "password-file: " + huge),
                AgentConfigFile.Overrides.NONE)).hasMessageContaining("mqtt.password-file").hasMessageContaining("4096");
        assertThatThrownBy(() -> AgentConfigFile.parse(VALID.replace("password: s3cret", "password-file: " + notUtf8),
                AgentConfigFile.Overrides.NONE)).hasMessageContaining("not UTF-8");
        assertThatThrownBy(() -> AgentConfigFile.parse(VALID.replace("password: s3cret", "password-file: "
                + dir.resolve("missing")), AgentConfigFile.Overrides.NONE)).hasMessageContaining("mqtt.password-file");
        assertThatThrownBy(() -> AgentConfigFile.parse(VALID.replace("password: s3cret", "password: a\n  password-file: "
                + twoLines), AgentConfigFile.Overrides.NONE)).hasMessageContaining("not both");
    }

    @Test
    void shouldNameTheKeyOfEveryProblem() {
        assertKey(VALID.replace("max-age: 5s", "max-age: soon"), "batch.max-age");
        assertKey(VALID.replace("uri: tcp://gw:1883", "uri: http://gw"), "mqtt.uri");
        assertKey(VALID.replace("replay-rate: 5", "replay-rat: 5"), "mqtt.replay-rat");
        assertKey(VALID.replace("type: load1", "type: load7"), "sensors[1].type");
        assertKey(VALID.replace("id: 28-000005e2fdc3", "id: 42"), "sensors[2].id");
        assertKey(VALID.replace("name: ext", "name: load"), "sensors[3].name");
        assertKey(VALID.replace("interval: 10s", "interval: -1s"), "sensors[1].interval");
        assertKey(VALID.replace("fsync: interval", "fsync: sometimes"), "outbox.fsync");
        assertKey(VALID.replace("max-bytes: 8MiB", "max-bytes: 1KiB"), "outbox.max-bytes");
        assertKey(VALID.replace("device: {id: pi-7}", "device: {id: 'a/b'}"), "device.id");
        assertKey(VALID.replace("zone: 0", "zone: 0, colour: red"), "sensors[0].colour");
        assertKey("device: [", "config");
        assertKey(VALID.replace("command: [echo, \"1\"], ", ""), "sensors[3].command");
    }

    @Test
    void shouldApplyAValidPushedChangeAndRejectAnInvalidOne() {
        List<SensorSpec> current = AgentConfigFile.parse(VALID, AgentConfigFile.Overrides.NONE).sensors();

        List<SensorSpec> updated = ConfigUpdate.apply("sensors: {load: {interval: 1s}, outdoor: {enabled: true}}",
                current);
        assertThat(updated.get(1).interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(updated.get(2).enabled()).isTrue();
        assertThat(ConfigUpdate.apply("{\"sensors\":{\"cpu_temp\":{\"enabled\":false}}}", current).get(0).enabled())
                .isFalse();

        assertThatThrownBy(() -> ConfigUpdate.apply("sensors: {nope: {enabled: true}}", current))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("sensors.nope:");
        assertThatThrownBy(() -> ConfigUpdate.apply("sensors: {load: {interval: 1ms}}", current))
                .hasMessageStartingWith("sensors.load.interval:");
        assertThatThrownBy(() -> ConfigUpdate.apply("sensors: {load: {enabled: maybe}}", current))
                .hasMessageStartingWith("sensors.load.enabled:");
        assertThatThrownBy(() -> ConfigUpdate.apply("mqtt: {uri: tcp://evil:1883}", current))
                .hasMessageStartingWith("mqtt:");
    }

    private static void assertKey(String yaml, String key) {
        assertThatThrownBy(() -> AgentConfigFile.parse(yaml, AgentConfigFile.Overrides.NONE))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
    }
}
