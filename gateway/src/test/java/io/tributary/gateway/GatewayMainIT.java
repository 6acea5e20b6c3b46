package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code tributary-gateway} answers when it cannot start: one line naming the option, exit code 1; and that it
 * builds its Kafka clients from {@code --kafka-config FILE}.
 */
class GatewayMainIT {

    private static final String PREFIX = "main-it.";
    private static LocalStack stack;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalStackOptions.defaults().withStartInflux(false));
        stack.createTopics(1, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "device-status");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private record Outcome(int exitCode, String err) {
    }

    private static Outcome run(String... extra) {
        String[] base = {"--mqtt-host", "127.0.0.1", "--kafka-bootstrap", stack.kafkaBootstrapServers(),
            "--topic-prefix", PREFIX, "--authentication", "none", "--instances", "1"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        StringWriter err = new StringWriter();
        picocli.CommandLine commandLine = GatewayMain.commandLine(args, Map.<String, String>of()::get);
        commandLine.setErr(new PrintWriter(err, true));
        return new Outcome(commandLine.execute(args), err.toString());
    }

    @Test
    void answersABusyMqttPortWithOneLineAndExitCodeOne() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Outcome outcome = run("--mqtt-port", String.valueOf(busy.getLocalPort()), "--http-port", "-1");

            assertThat(outcome.exitCode()).isEqualTo(1);
            assertThat(outcome.err().lines()).singleElement().asString()
                    .startsWith("Cannot start the gateway: could not listen for MQTT on 127.0.0.1:"
                            + busy.getLocalPort() + " (--mqtt-port)")
                    .contains("Address already in use");
        }
    }

    @Test
    void answersABusyHttpPortWithOneLineAndExitCodeOne() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Outcome outcome = run("--mqtt-port", "0", "--http-port", String.valueOf(busy.getLocalPort()));

            assertThat(outcome.exitCode()).isEqualTo(1);
            assertThat(outcome.err().lines()).singleElement().asString()
                    .startsWith("Cannot start the gateway: could not listen for HTTP on 127.0.0.1:"
                            + busy.getLocalPort() + " (--http-port)")
                    .contains("Address already in use");
        }
    }

    @Test
    void startsAgainstTheKafkaNamedInItsKafkaConfigFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"), "bootstrap.servers="
                + stack.kafkaBootstrapServers() + "\nsecurity.protocol=PLAINTEXT\nclient.id=kafka-config-it\n");
        String[] args = {"--kafka-config", file.toString(), "--mqtt-host", "127.0.0.1", "--mqtt-port", "0",
            "--http-port", "-1", "--topic-prefix", PREFIX, "--authentication", "none", "--instances", "1"};
        picocli.CommandLine commandLine = GatewayMain.commandLine(args, Map.<String, String>of()::get);
        commandLine.parseArgs(args);
        GatewayConfig config = commandLine.<GatewayMain>getCommand().toConfig();
        Gateway gateway = new Gateway(config);
        try {
            gateway.start().toCompletableFuture().join();

            assertThat(config.kafkaBootstrapServers()).isEqualTo(stack.kafkaBootstrapServers());
            assertThat(config.kafkaProperties()).containsEntry("client.id", "kafka-config-it");
            assertThat(gateway.mqttPort()).isPositive();
        } finally {
            gateway.close();
        }
    }

    @Test
    void answersABadSecurityProtocolInItsKafkaConfigFileWithOneLineAndExitCodeOne(@TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"), "security.protocol=TLS_PLEASE\n");

        Outcome outcome = run("--kafka-config", file.toString(), "--mqtt-port", "0", "--http-port", "-1");

        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().lines()).singleElement().asString()
                .startsWith("Cannot start the gateway: ").contains("security.protocol").contains("TLS_PLEASE");
    }
}
