package io.tributary.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A processor started with {@code --kafka-config FILE} builds its Kafka clients from that file. */
class ProcessorKafkaConfigIT {

    @Test
    void answersABadSecurityProtocolInTheFileWithOneLineAndExitCodeOne(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"),
                "bootstrap.servers=127.0.0.1:1\nsecurity.protocol=TLS_PLEASE\n");
        StringWriter err = new StringWriter();
        CommandLine cli = ProcessorMain.commandLine();
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("--kafka-config", file.toString(), "--http-port", "-1", "--set",
                "streams.enabled=false");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("tributary-cloud-processor: cannot start: ").contains("security.protocol")
                .contains("TLS_PLEASE");
    }
}
