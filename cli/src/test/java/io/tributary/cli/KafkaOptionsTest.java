package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class KafkaOptionsTest {

    @Command(name = "test")
    static final class Cmd {
        @Mixin
        KafkaOptions kafka = new KafkaOptions();
    }

    @Test
    void mergesTheFileWithRepeatedPropertiesTheOptionsWinning(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("c.properties"), "security.protocol=SSL\nclient.id=a\n");
        Cmd cmd = new Cmd();
        new CommandLine(cmd).parseArgs("--kafka-config", file.toString(), "--kafka-property", "client.id=b",
                "--kafka-property", "bootstrap.servers=k:9093");

        var config = cmd.kafka.resolve(null, Map.of("TRIBUTARY_KAFKA_SASL_MECHANISM", "PLAIN"));

        assertThat(config.bootstrap()).isEqualTo("k:9093");
        assertThat(config.properties()).isEqualTo(Map.of("security.protocol", "SSL", "client.id", "b",
                "sasl.mechanism", "PLAIN"));
    }

    @Test
    void withoutOptionsGivesTheDefaults() {
        Cmd cmd = new Cmd();
        new CommandLine(cmd).parseArgs();

        assertThat(cmd.kafka.resolve("x:1", Map.of()).clientProperties()).isEqualTo(Map.of("bootstrap.servers", "x:1"));
    }
}
