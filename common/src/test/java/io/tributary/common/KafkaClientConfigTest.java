package io.tributary.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientConfigTest {

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("client.properties"), text, StandardCharsets.UTF_8);
    }

    @Test
    void readsAKafkaClientPropertiesFileAsKafkasToolsDo() throws IOException {
        Path file = file("""
                # comment
                ! another comment
                security.protocol=SASL_SSL
                sasl.mechanism: SCRAM-SHA-512
                ssl.truststore.location /etc/kafka/truststore.jks
                ssl.endpoint.identification.algorithm=
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
                    username="gateway" \\
                    password="s3cr=t";
                """);

        assertThat(KafkaClientConfig.readFile(file)).containsExactly(
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("ssl.truststore.location", "/etc/kafka/truststore.jks"),
                Map.entry("ssl.endpoint.identification.algorithm", ""),
                Map.entry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"gateway\" password=\"s3cr=t\";"));
    }

    @Test
    void refusesALineWithoutAValueNamingFileAndLine() throws IOException {
        Path file = file("security.protocol=SSL\n\nssl.truststore.location\n");

        assertThatThrownBy(() -> KafkaClientConfig.readFile(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Kafka client config " + file + ", line 3: expected KEY=VALUE, got 'ssl.truststore.location'");
    }

    @Test
    void refusesALineWhoseKeyIsNoPropertyName() throws IOException {
        Path file = file("{\"security.protocol\": \"SSL\"}\n");

        assertThatThrownBy(() -> KafkaClientConfig.readFile(file))
                .hasMessageContaining(", line 1: '{\"security.protocol\"' is not a Kafka property name");
        Path empty = file("=SSL\n");
        assertThatThrownBy(() -> KafkaClientConfig.readFile(empty)).hasMessageContaining("line 1: '' is not");
    }

    @Test
    void refusesABadUnicodeEscapeWithItsLine() throws IOException {
        Path file = file("a=1\nb=\\uZZZZ\n");

        assertThatThrownBy(() -> KafkaClientConfig.readFile(file)).hasMessageContaining(", line 2: ");
    }

    @Test
    void refusesAMissingFileInOneLine() {
        Path missing = dir.resolve("nope.properties");

        assertThatThrownBy(() -> KafkaClientConfig.resolve(missing, Map.of(), Map.of(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Kafka client config " + missing + ": cannot read it (NoSuchFileException: " + missing + ")");
    }

    @Test
    void mapsEnvironmentVariablesToPropertiesButNeverTheOptionVariables() {
        Map<String, String> env = Map.of(
                "TRIBUTARY_KAFKA_SASL_MECHANISM", "PLAIN",
                "TRIBUTARY_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "TRIBUTARY_KAFKA_BOOTSTRAP", "kafka:9092",
                "TRIBUTARY_KAFKA_LINGER", "5ms",
                "TRIBUTARY_KAFKA_DELIVERY_TIMEOUT", "30s",
                "TRIBUTARY_KAFKA_MAX_BLOCK", "1s",
                "TRIBUTARY_KAFKA_SESSION_TIMEOUT", "45s",
                "TRIBUTARY_KAFKA_STARTUP_TIMEOUT", "30s",
                "TRIBUTARY_KAFKA_CONFIG", "/etc/x",
                "TRIBUTARY_TOPIC_PREFIX", "t.");

        assertThat(KafkaClientConfig.fromEnvironment(env)).containsExactly(
                Map.entry("sasl.mechanism", "PLAIN"), Map.entry("security.protocol", "SASL_SSL"));
    }

    @Test
    void refusesAVariableThatMapsToNoPropertyName() {
        assertThatThrownBy(() -> KafkaClientConfig.fromEnvironment(Map.of("TRIBUTARY_KAFKA_sasl_mechanism", "x")))
                .hasMessageStartingWith("environment variable TRIBUTARY_KAFKA_sasl_mechanism: expected");
        assertThatThrownBy(() -> KafkaClientConfig.fromEnvironment(Map.of("TRIBUTARY_KAFKA_", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void laterSourcesWinFileThenEnvironmentThenOptions() throws IOException {
        Path file = file("security.protocol=SSL\nsasl.mechanism=PLAIN\nclient.id=from-file\n");
        Map<String, String> env = Map.of("TRIBUTARY_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256",
                "TRIBUTARY_KAFKA_CLIENT_ID", "from-env");

        KafkaClientConfig config = KafkaClientConfig.resolve(file, env, Map.of("client.id", "from-option"), null);

        assertThat(config.properties()).isEqualTo(Map.of("security.protocol", "SSL",
                "sasl.mechanism", "SCRAM-SHA-256", "client.id", "from-option"));
    }

    @Test
    void bootstrapOptionWinsThenThePropertyThenTheDefault() throws IOException {
        Path file = file("bootstrap.servers=file:9092\n");

        assertThat(KafkaClientConfig.resolve(file, Map.of(), Map.of(), "option:9092").bootstrap())
                .isEqualTo("option:9092");
        assertThat(KafkaClientConfig.resolve(file, Map.of(), Map.of(), null).bootstrap()).isEqualTo("file:9092");
        assertThat(KafkaClientConfig.resolve(file, Map.of("TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS", "env:9092"), Map.of(),
                " ").bootstrap()).isEqualTo("env:9092");
        KafkaClientConfig none = KafkaClientConfig.resolve(null, Map.of(), Map.of(), null);
        assertThat(none).isEqualTo(KafkaClientConfig.defaults());
        assertThat(none.bootstrap()).isEqualTo("localhost:9092");
        assertThat(KafkaClientConfig.resolve(file, Map.of(), Map.of(), null).properties())
                .doesNotContainKey("bootstrap.servers");
        assertThat(KafkaClientConfig.resolve(file, Map.of(), Map.of(), null).clientProperties())
                .containsEntry("bootstrap.servers", "file:9092");
    }

    @Test
    void refusesAnOptionPropertyWithoutAName() {
        assertThatThrownBy(() -> KafkaClientConfig.resolve(null, Map.of(), Map.of(" x", "1"), null))
                .hasMessage("--kafka-property  x: ' x' is not a Kafka property name");
    }

    @Test
    void hidesSecretsWhenPrintedButKeepsThemForTheClients() {
        Map<String, String> props = Map.of(
                "sasl.jaas.config", "ScramLoginModule required username=\"u\" password=\"p4ss\";",
                "ssl.key.password", "k3y",
                "ssl.keystore.password", "ks",
                "ssl.truststore.password", "ts",
                "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----",
                "sasl.oauthbearer.client.credentials.client.secret", "cs",
                "basic.auth.user.info", "u:p",
                "security.protocol", "SASL_SSL",
                "ssl.truststore.location", "/etc/ts.jks");
        KafkaClientConfig config = new KafkaClientConfig("k:9093", props);

        String printed = config.toString();

        for (String secret : new String[] {"p4ss", "k3y", "ks\"", "=ts", "PRIVATE", "=cs", "u:p"}) {
            assertThat(printed).doesNotContain(secret);
        }
        assertThat(KafkaClientConfig.redact(props)).containsEntry("sasl.jaas.config", "[hidden]")
                .containsEntry("ssl.keystore.key", "[hidden]")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.location", "/etc/ts.jks")
                .hasSize(props.size());
        assertThat(config.properties()).isEqualTo(props);
        assertThat(KafkaClientConfig.isSecret("SSL.KEY.PASSWORD")).isTrue();
        assertThat(KafkaClientConfig.isSecret("sasl.mechanism")).isFalse();
    }

    @Test
    void refusesBlankBootstrapAndBootstrapAmongTheProperties() {
        assertThatThrownBy(() -> new KafkaClientConfig(" ", Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KafkaClientConfig("k:1", Map.of("bootstrap.servers", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
