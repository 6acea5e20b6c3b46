package io.tributary.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.gateway.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GatewayKafkaOptionsTest {

    @TempDir
    Path dir;

    private GatewayConfig parse(Map<String, String> env, String... args) {
        GatewayOptions options = new GatewayOptions();
        options.environment = env;
        new CommandLine(options).parseArgs(args);
        return options.toConfig(null);
    }

    @Test
    void takesTheKafkaConfigFileThenTheEnvironmentThenTheOptions() throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"),
                "bootstrap.servers=file:9093\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nclient.rack=r1\n");

        GatewayConfig config = parse(Map.of("TRIBUTARY_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
                "--kafka-config", file.toString(), "--kafka-property", "client.rack=r2");

        assertThat(config.kafkaBootstrapServers()).isEqualTo("file:9093");
        assertThat(config.kafkaProperties()).isEqualTo(Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "client.rack", "r2"));
        assertThat(parse(Map.of(), "--kafka-config", file.toString(), "--kafka-bootstrap", "opt:9092")
                .kafkaBootstrapServers()).isEqualTo("opt:9092");
        assertThat(parse(Map.of()).kafkaBootstrapServers()).isEqualTo("localhost:9092");
    }

    @Test
    void refusesAFileThatSetsWhatTheGatewayOwns() throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"), "acks=1\n");

        assertThatThrownBy(() -> parse(Map.of(), "--kafka-config", file.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not set 'acks'");
    }

    @Test
    void refusesAnUnreadableFileOrBadLineByName() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.properties"), "security.protocol\n");

        assertThatThrownBy(() -> parse(Map.of(), "--kafka-config", bad.toString()))
                .hasMessageContaining("bad.properties, line 1: expected KEY=VALUE");
        assertThatThrownBy(() -> parse(Map.of(), "--kafka-config", dir.resolve("missing").toString()))
                .hasMessageContaining("cannot read it");
    }
}
