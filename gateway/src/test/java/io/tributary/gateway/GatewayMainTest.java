package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GatewayMainTest {

    @Test
    void buildsTheConfigFromOptions() {
        GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs("--mqtt-host", "127.0.0.1", "--mqtt-port", "0", "--kafka-bootstrap",
                "k1:9092,k2:9092", "--topic-prefix", "x.", "--max-payload-bytes", "1000", "--instances", "3",
                "--kafka-delivery-timeout", "PT5S", "--kafka-property", "security.protocol=SSL");

        GatewayConfig config = main.toConfig();

        assertThat(config.mqttHost()).isEqualTo("127.0.0.1");
        assertThat(config.mqttPort()).isZero();
        assertThat(config.kafkaBootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(config.topicPrefix()).isEqualTo("x.");
        assertThat(config.maxPayloadBytes()).isEqualTo(1000);
        assertThat(config.verticleInstances()).isEqualTo(3);
        assertThat(config.kafkaDeliveryTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.kafkaProperties()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void defaultsMatchTheLibraryDefaults() {
        GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs();

        GatewayConfig config = main.toConfig();
        GatewayConfig defaults = GatewayConfig.defaults();

        // Environment variables may be set on a developer machine; only compare what they cannot change here.
        if (System.getenv("TRIBUTARY_MQTT_PORT") == null) {
            assertThat(config.mqttPort()).isEqualTo(defaults.mqttPort());
        }
        assertThat(config.maxInFlightPerConnection()).isEqualTo(defaults.maxInFlightPerConnection());
        assertThat(config.kafkaLinger()).isEqualTo(defaults.kafkaLinger());
        assertThat(config.kafkaMaxBlock()).isEqualTo(defaults.kafkaMaxBlock());
        assertThat(config.shutdownTimeout()).isEqualTo(defaults.shutdownTimeout());
        assertThat(config.verticleInstances()).isEqualTo(defaults.verticleInstances());
        if (System.getenv("TRIBUTARY_PAUSE_INFLIGHT_BYTES") == null
                && System.getenv("TRIBUTARY_MAX_INFLIGHT_BYTES") == null) {
            assertThat(config.maxInFlightBytes()).isEqualTo(defaults.maxInFlightBytes());
            assertThat(config.pauseReadingAtBytes()).isEqualTo(defaults.pauseReadingAtBytes());
        }
    }

    @Test
    void reportsInvalidValuesByOption() {
        GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs("--max-payload-bytes", "-5");

        assertThatThrownBy(main::toConfig).hasMessageContaining("--max-payload-bytes");
    }

    @Test
    void authenticatesAgainstTheRegistryUnlessToldOtherwise() {
        GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs();
        if (System.getenv("TRIBUTARY_GATEWAY_AUTHENTICATION") == null) {
            assertThat(main.toConfig().authentication()).isEqualTo(GatewayConfig.Authentication.REGISTRY);
        }

        GatewayMain none = new GatewayMain();
        new CommandLine(none).parseArgs("--authentication", "NONE");
        assertThat(none.toConfig().authentication()).isEqualTo(GatewayConfig.Authentication.NONE);
        assertThatThrownBy(() -> new CommandLine(new GatewayMain()).parseArgs("--authentication", "maybe"))
                .hasMessageContaining("--authentication must be 'registry' or 'none'");
    }

    private static GatewayMain parse(Map<String, String> env, String... args) {
        CommandLine commandLine = GatewayMain.commandLine(args, env::get);
        commandLine.parseArgs(args);
        GatewayMain main = commandLine.getCommand();
        if (main.yamlError != null) {
            throw new IllegalArgumentException(main.yamlError);
        }
        return main;
    }

    @Test
    void readsAYamlFileThatTheEnvironmentAndTheCommandLineOverride(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("gateway.yaml"), String.join("\n",
                "mqtt-port: 1999",
                "max-payload-bytes: 5000",
                "max-connections: 77",
                "topic-prefix: yaml.",
                "kafka-linger: PT0.010S",
                "pause-inflight-bytes: 4000000",
                "kafka-property:",
                "  security.protocol: SSL",
                "  client.rack: r1",
                ""));

        GatewayConfig fromFile = parse(Map.of(), "--config", file.toString()).toConfig();
        assertThat(fromFile.mqttPort()).isEqualTo(1999);
        assertThat(fromFile.maxPayloadBytes()).isEqualTo(5000);
        assertThat(fromFile.maxConnections()).isEqualTo(77);
        assertThat(fromFile.topicPrefix()).isEqualTo("yaml.");
        assertThat(fromFile.kafkaLinger()).isEqualTo(Duration.ofMillis(10));
        assertThat(fromFile.pauseReadingAtBytes()).isEqualTo(4_000_000);
        assertThat(fromFile.kafkaProperties()).containsEntry("security.protocol", "SSL").containsEntry("client.rack",
                "r1");

        GatewayConfig overridden = parse(Map.of("TRIBUTARY_MQTT_PORT", "2000", "TRIBUTARY_GATEWAY_CONFIG",
                file.toString()), "--max-payload-bytes", "6000", "--kafka-property", "client.rack=r2").toConfig();
        assertThat(overridden.mqttPort()).isEqualTo(2000);
        assertThat(overridden.maxPayloadBytes()).isEqualTo(6000);
        assertThat(overridden.topicPrefix()).isEqualTo("yaml.");
        GatewayConfig fromEnv = parse(Map.of("TRIBUTARY_PAUSE_INFLIGHT_BYTES", "3000000"), "--config",
                file.toString()).toConfig();
        assertThat(fromEnv.pauseReadingAtBytes()).isEqualTo(3_000_000);
        assertThat(overridden.kafkaProperties()).containsEntry("client.rack", "r2");
    }

    @Test
    void namesTheFileAndKeyOfABadYamlConfig(@TempDir Path dir) throws Exception {
        Path unknown = Files.writeString(dir.resolve("unknown.yaml"), "mqtt-prot: 1883\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", unknown.toString()))
                .hasMessageContaining(unknown.toString()).hasMessageContaining("unknown key 'mqtt-prot'")
                .hasMessageContaining("mqtt-port");

        Path badValue = Files.writeString(dir.resolve("bad.yaml"), "mqtt-port: lots\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", badValue.toString()))
                .hasMessageContaining("--mqtt-port").hasMessageContaining("lots");

        Path outOfRange = Files.writeString(dir.resolve("range.yaml"), "max-connections: 0\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", outOfRange.toString()).toConfig())
                .hasMessageContaining("--max-connections");

        Path notYaml = Files.writeString(dir.resolve("broken.yaml"), "mqtt-port: [1883\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", notYaml.toString()))
                .hasMessageContaining("not valid YAML");

        assertThatThrownBy(() -> parse(Map.of(), "--config", dir.resolve("missing.yaml").toString()))
                .hasMessageContaining("does not exist");
    }

    @Test
    void configuresTheTlsListenerOnlyWithCertificateAndKey() {
        GatewayMain main = parse(Map.of(), "--tls-cert", "/c.pem", "--tls-key", "/k.pem", "--tls-port", "0");
        assertThat(main.toConfig().tls().enabled()).isTrue();
        assertThat(main.toConfig().tls().plainEnabled()).isTrue();

        assertThatThrownBy(() -> parse(Map.of(), "--tls-cert", "/c.pem").toConfig())
                .hasMessageContaining("--tls-key");
        assertThatThrownBy(() -> parse(Map.of(), "--no-plain-mqtt").toConfig())
                .hasMessageContaining("--no-plain-mqtt needs the TLS listener");
        assertThat(parse(Map.of()).toConfig().tls().enabled()).isFalse();
    }

    // ---- issue 17: the input contract ----

    @Test
    void setsTheInputContractAndTheDeadLetterBoundFromOptionsEnvironmentAndYaml(@TempDir Path dir) throws Exception {
        GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs("--max-event-age", "P7D", "--max-event-future", "PT10M",
                "--max-sensor-name-length", "64", "--max-unit-length", "16", "--max-readings-per-batch", "500",
                "--max-sensors-per-device", "32", "--deadletter-max-payload-bytes", "1000");

        GatewayConfig config = main.toConfig();

        assertThat(config.inputContract()).isEqualTo(new io.tributary.contract.InputContract(Duration.ofDays(7),
                Duration.ofMinutes(10), 64, 16, 500, 32));
        assertThat(config.deadLetterMaxPayloadBytes()).isEqualTo(1000);

        Path file = Files.writeString(dir.resolve("gateway.yaml"), "max-event-age: P2D\nmax-sensors-per-device: 9\n");
        GatewayConfig fromYaml = parse(Map.of("TRIBUTARY_MAX_SENSORS_PER_DEVICE", "11"), "--config",
                file.toString()).toConfig();
        assertThat(fromYaml.inputContract().maxEventAge()).isEqualTo(Duration.ofDays(2));
        assertThat(fromYaml.inputContract().maxSensorsPerDevice()).as("the environment overrides the file")
                .isEqualTo(11);
    }

    @Test
    void defaultsToTheContractsDefaults() {
        GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs();
        boolean contractEnvironment = System.getenv().keySet().stream().anyMatch(key -> key.startsWith("TRIBUTARY_MAX_")
                && !key.equals("TRIBUTARY_MAX_PAYLOAD_BYTES") && !key.startsWith("TRIBUTARY_MAX_INFLIGHT"));
        if (!contractEnvironment) {
            assertThat(main.toConfig().inputContract()).isEqualTo(io.tributary.contract.InputContract.DEFAULTS);
        }
        if (System.getenv("TRIBUTARY_GATEWAY_DEADLETTER_MAX_PAYLOAD_BYTES") == null) {
            assertThat(main.toConfig().deadLetterMaxPayloadBytes()).isEqualTo(65536);
        }
    }

    @Test
    void reportsAnInvalidContractLimitByOption() {
        for (String[] args : new String[][] {{"--max-event-age", "PT0S"}, {"--max-event-future", "-PT1S"},
            {"--max-sensor-name-length", "0"}, {"--max-unit-length", "2000"}, {"--max-readings-per-batch", "0"},
            {"--max-sensors-per-device", "0"}, {"--deadletter-max-payload-bytes", "-1"}}) {
            GatewayMain main = new GatewayMain();
            new CommandLine(main).parseArgs(args);
            assertThatThrownBy(main::toConfig).as(args[0]).hasMessageContaining(args[0]);
        }
    }

    // ---- issue 18: one line and exit code 2 for a bad option, no stack trace ----

    private static int execute(java.io.StringWriter err, String... args) {
        CommandLine commandLine = GatewayMain.commandLine(args, name -> null);
        commandLine.setErr(new java.io.PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void answersAnUnknownOrMalformedOptionWithOneLineAndExitCodeTwo() {
        for (String[] args : new String[][] {{"--mqtt-prot", "1883"}, {"--mqtt-port", "lots"},
            {"--kafka-linger", "soon"}}) {
            java.io.StringWriter err = new java.io.StringWriter();

            assertThat(execute(err, args)).as(args[0]).isEqualTo(2);
            assertThat(err.toString().lines()).as(args[0]).singleElement().asString()
                    .contains(args[0]).endsWith("(see --help)");
        }
    }

    @Test
    void answersAnOutOfRangeValueWithOneLineNamingTheOptionAndExitCodeTwo() {
        java.io.StringWriter err = new java.io.StringWriter();

        assertThat(execute(err, "--max-connections", "0")).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString().startsWith("Invalid configuration: ")
                .contains("--max-connections");
    }

    @Test
    void readsEveryDurationInTheShortFormAndInIso8601(@TempDir Path dir) throws Exception {
        GatewayConfig shortForm = parse(Map.of(), "--kafka-linger", "5ms", "--shutdown-timeout", "1.5s",
                "--max-event-age", "7d", "--auth-block-duration", "2m", "--registry-stall-timeout", "45s").toConfig();
        GatewayConfig iso = parse(Map.of(), "--kafka-linger", "PT0.005S", "--shutdown-timeout", "PT1.5S",
                "--max-event-age", "P7D", "--auth-block-duration", "PT2M", "--registry-stall-timeout", "PT45S")
                .toConfig();

        for (GatewayConfig config : List.of(shortForm, iso)) {
            assertThat(config.kafkaLinger()).isEqualTo(Duration.ofMillis(5));
            assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofMillis(1500));
            assertThat(config.inputContract().maxEventAge()).isEqualTo(Duration.ofDays(7));
            assertThat(config.auth().blockDuration()).isEqualTo(Duration.ofMinutes(2));
            assertThat(config.auth().registryStallTimeout()).isEqualTo(Duration.ofSeconds(45));
        }
        Path file = Files.writeString(dir.resolve("gateway.yaml"), "kafka-linger: 9ms\nconnect-timeout: PT20S\n");
        GatewayConfig fromYaml = parse(Map.of(), "--config", file.toString()).toConfig();
        assertThat(fromYaml.kafkaLinger()).isEqualTo(Duration.ofMillis(9));
        assertThat(fromYaml.connectTimeout()).isEqualTo(Duration.ofSeconds(20));
        // The environment overrides the file (picocli reads it for options the file does not set: same converter)
        assertThat(parse(Map.of("TRIBUTARY_KAFKA_LINGER", "7ms"), "--config", file.toString()).toConfig()
                .kafkaLinger()).isEqualTo(Duration.ofMillis(7));
    }

    @Test
    void answersABadDurationWithOneLineNamingTheOption(@TempDir Path dir) throws Exception {
        java.io.StringWriter err = new java.io.StringWriter();
        assertThat(execute(err, "--connect-timeout", "30 parsecs")).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString().contains("--connect-timeout")
                .contains("30 parsecs").contains(io.tributary.common.Durations.EXAMPLES);

        Path file = Files.writeString(dir.resolve("bad.yaml"), "auth-queue-max-wait: 2 seconds\nkafka-linger: 1ms\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", file.toString()))
                .hasMessageContaining("--auth-queue-max-wait").hasMessageContaining("2 seconds");
        Path good = Files.writeString(dir.resolve("good.yaml"), "kafka-linger: 1ms\n");
        assertThatThrownBy(() -> parse(Map.of("TRIBUTARY_KAFKA_LINGER", "later"), "--config", good.toString()))
                .hasMessageContaining("--kafka-linger").hasMessageContaining("later");
    }
}
