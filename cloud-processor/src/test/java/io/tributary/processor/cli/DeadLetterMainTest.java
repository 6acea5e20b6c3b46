package io.tributary.processor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DeadLetterMainTest {

    @Test
    void shouldAnswerAnUnreachableKafkaWithOneLineAndExitCode1() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeadLetterMain.commandLine();
        cli.setErr(new PrintWriter(err, true));

        // Nothing listens on port 1: the admin client waits for its timeout, then the command must say so plainly.
        int exit = cli.execute("list", "--kafka-bootstrap", "127.0.0.1:1");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("tributary deadletter: Kafka at 127.0.0.1:1 did not answer within 15s")
                .doesNotContain("\tat ")
                .doesNotContain("Exception");
    }

    @Test
    void shouldRefuseAnUnknownOptionWithExitCode2() {
        StringWriter err = new StringWriter();
        CommandLine cli = DeadLetterMain.commandLine();
        cli.setErr(new PrintWriter(err, true));

        assertThat(cli.execute("list", "--nonsense")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--nonsense'");
    }
}
