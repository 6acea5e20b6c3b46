package io.tributary.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DevicesMainKafkaConfigTest {

    @Test
    void answersAnUnusableKafkaConfigFileWithOneLineAndTheUsageExitCode(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("operator.properties"), "security.protocol=SSL\nssl.key.password\n");
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new DevicesMain());
        command.setErr(new PrintWriter(err, true));

        int exit = command.execute("list", "--kafka-config", file.toString());

        assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString().lines()).singleElement().asString()
                .isEqualTo("error: Kafka client config " + file + ", line 2: expected KEY=VALUE, got 'ssl.key.password'");
    }
}
