package io.tributary.processor;

import io.tributary.cli.DurationConverter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

class ProcessorMainTest {

    @Test
    void shouldAnswerAnUnknownOptionWithAShortErrorAndExitCode2() {
        StringWriter err = new StringWriter();
        CommandLine cli = ProcessorMain.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("--bogus");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--bogus'").contains("--help")
                .doesNotContain("Usage:");
    }

    @Test
    void shouldNameTheOptionOfAnInvalidValue() {
        StringWriter err = new StringWriter();
        CommandLine cli = ProcessorMain.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("--influx-url", "localhost:8086");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("influx-url").contains("localhost:8086");
    }

    @Test
    void shouldReadFriendlyAndIsoDurations() {
        DurationConverter converter = new DurationConverter();

        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("PT10S")).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> converter.convert("soon")).hasMessageContaining("not a duration");
    }

    @Test
    void shouldPrintTheEffectiveConfigurationFromFileAndOptions(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("processor.yaml");
        java.nio.file.Files.writeString(file, "rollups: {windows: [5s], grace: 7s}\ninflux: {bucket: from-file}\n");
        StringWriter out = new StringWriter();
        CommandLine cli = ProcessorMain.commandLine();
        cli.setOut(new PrintWriter(out));

        int exit = cli.execute("--config", file.toString(), "--influx-bucket", "from-option", "--set",
                "http.port=0", "--print-config");

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("influxBucket=from-option").contains("rollupWindows=[PT5S]")
                .contains("rollupGrace=PT7S").contains("httpPort=0");
    }

    @Test
    void shouldTakeTheKafkaClientConfigFileAndPrintItsSecretsHidden(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("client.properties"),
                "bootstrap.servers=broker-1:9093\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n"
                        + "sasl.jaas.config=PlainLoginModule required username=\"p\" password=\"s3cret\";\n"
                        + "ssl.truststore.password=tru5t\n");
        java.nio.file.Path yaml = java.nio.file.Files.writeString(dir.resolve("processor.yaml"),
                "kafka: {property: {client.rack: from-yaml, sasl.mechanism: from-yaml}}\n");
        StringWriter out = new StringWriter();
        CommandLine cli = ProcessorMain.commandLine();
        cli.setOut(new PrintWriter(out));

        int exit = cli.execute("--kafka-config", file.toString(), "--config", yaml.toString(),
                "--kafka-property", "sasl.mechanism=SCRAM-SHA-512", "--print-config");

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("kafkaBootstrapServers=broker-1:9093")
                .contains("security.protocol=SASL_SSL").contains("sasl.mechanism=SCRAM-SHA-512")
                .contains("client.rack=from-yaml").contains("sasl.jaas.config=[hidden]")
                .contains("ssl.truststore.password=[hidden]").doesNotContain("s3cret").doesNotContain("tru5t");
    }

    @Test
    void shouldAnswerABadKafkaClientConfigFileInOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("client.properties"),
                "security.protocol=SSL\nssl.truststore.location\n");
        StringWriter err = new StringWriter();
        CommandLine cli = ProcessorMain.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("--kafka-config", file.toString(), "--print-config");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("client.properties, line 2: expected KEY=VALUE")
                .doesNotContain("at io.tributary");
    }

    @Test
    void shouldRejectAnUnknownConfigKeyNamingIt() {
        StringWriter err = new StringWriter();
        CommandLine cli = ProcessorMain.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("--set", "rollups.graze=5s", "--print-config");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("unknown config key 'rollups.graze'");
    }

    @Test
    void shouldAnswerABusyOperationsPortWithOneLineAndExitCode1() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            StringWriter err = new StringWriter();
            CommandLine cli = ProcessorMain.commandLine();
            cli.setErr(new PrintWriter(err));

            int exit = cli.execute("--kafka-bootstrap", "127.0.0.1:1", "--set", "streams.enabled=false", "--set",
                    "http.host=127.0.0.1", "--set", "http.port=" + busy.getLocalPort());

            assertThat(exit).isEqualTo(1);
            assertThat(err.toString()).contains("cannot start").contains(String.valueOf(busy.getLocalPort()))
                    .doesNotContain("\tat ").doesNotContain("Exception");
            assertThat(err.toString().strip().lines()).hasSize(1);
        }
    }
}
