package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The example config that deploy/systemd installs as /etc/tributary/gateway.yaml loads as the unit runs it. */
class DeployConfigFileTest {

    private static final Path FILE = Path.of("..", "deploy", "systemd", "gateway.yaml");

    @Test
    void theSystemdUnitsConfigFileLoads() {
        assertThat(FILE).exists();
        String[] args = {"--config", FILE.toString()};
        CommandLine commandLine = GatewayMain.commandLine(args, name -> null);
        commandLine.parseArgs(args);
        GatewayMain main = commandLine.getCommand();

        assertThat(main.yamlError).isNull();
        GatewayConfig config = main.toConfig();
        assertThat(config.kafkaBootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.mqttPort()).isEqualTo(1883);
        assertThat(config.authentication()).isEqualTo(GatewayConfig.Authentication.REGISTRY);
    }

    @Test
    void theUnitPointsAtThatFile() throws Exception {
        String unit = Files.readString(Path.of("..", "deploy", "systemd", "tributary-gateway.service"));
        assertThat(unit).contains("--config /etc/tributary/gateway.yaml");
    }
}
