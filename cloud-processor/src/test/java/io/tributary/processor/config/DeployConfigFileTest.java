package io.tributary.processor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example config that deploy/systemd installs as /etc/tributary/processor.yaml loads, with the state directory. */
class DeployConfigFileTest {

    private static final Path SYSTEMD = Path.of("..", "deploy", "systemd");

    @Test
    void theSystemdUnitsConfigFileLoads() throws Exception {
        Path file = SYSTEMD.resolve("processor.yaml");
        ProcessorConfig config = ProcessorConfigFiles.load(Files.readString(file), file.toString(), Map.of(), Map.of());

        assertThat(config.analytics().stateDir()).isEqualTo(Path.of("/var/lib/tributary/processor-streams"));
        assertThat(config.analytics().alertRulesFile()).isEqualTo(Path.of("/etc/tributary/rules.yaml"));
        assertThat(config.influxToken()).as("the token belongs in the unit's environment file").isEmpty();
    }

    @Test
    void theUnitPointsAtThatFileAndKeepsItsStateDirectoryWritable() throws Exception {
        String unit = Files.readString(SYSTEMD.resolve("tributary-processor.service"));

        assertThat(unit).contains("--config /etc/tributary/processor.yaml", "StateDirectory=tributary",
                "ProtectSystem=strict");
    }
}
