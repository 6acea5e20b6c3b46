package io.tributary.processor;

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
        ProcessorMain.DurationConverter converter = new ProcessorMain.DurationConverter();

        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("PT10S")).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> converter.convert("soon")).hasMessageContaining("not a duration");
    }
}
