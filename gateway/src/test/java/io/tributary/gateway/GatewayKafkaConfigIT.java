package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A gateway started with {@code --kafka-config FILE} uses that file for its Kafka clients. */
class GatewayKafkaConfigIT {

    private static final String PREFIX = "kafka-config-it.";
    private static LocalStack stack;

    @TempDir
    Path dir;

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

    private static String[] args(Path kafkaConfig) {
        return new String[] {"--kafka-config", kafkaConfig.toString(), "--mqtt-host", "127.0.0.1", "--mqtt-port", "0",
            "--http-port", "-1", "--topic-prefix", PREFIX, "--authentication", "none", "--instances", "1",
            "--kafka-startup-timeout", "10s"};
    }

    @Test
    void startsAgainstTheKafkaNamedInTheFileWithItsClientProperties() throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"), "bootstrap.servers="
                + stack.kafkaBootstrapServers() + "\nsecurity.protocol=PLAINTEXT\nclient.id=kafka-config-it\n");
        String[] args = args(file);
        CommandLine commandLine = GatewayMain.commandLine(args, Map.<String, String>of()::get);
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
    void answersABadSecurityProtocolInTheFileWithOneLineAndExitCodeOne() throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"), "bootstrap.servers="
                + stack.kafkaBootstrapServers() + "\nsecurity.protocol=TLS_PLEASE\n");
        String[] args = args(file);
        StringWriter err = new StringWriter();
        CommandLine commandLine = GatewayMain.commandLine(args, Map.<String, String>of()::get);
        commandLine.setErr(new PrintWriter(err, true));

        int exit = commandLine.execute(args);

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("Cannot start the gateway: ").contains("security.protocol").contains("TLS_PLEASE");
    }
}
