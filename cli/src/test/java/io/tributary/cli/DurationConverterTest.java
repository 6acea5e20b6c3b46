package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class DurationConverterTest {

    @Command(name = "probe")
    static final class Probe implements Runnable {
        @Option(names = "--wait", converter = DurationConverter.class)
        Duration wait;

        @Override
        public void run() {
        }
    }

    @Test
    void shouldReadFriendlyAndIsoSpellings() {
        DurationConverter converter = new DurationConverter();

        assertThat(converter.convert("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("PT0.002S")).isEqualTo(Duration.ofMillis(2));
    }

    @Test
    void shouldAnswerABadValueAsAUsageErrorNamingTheOption() {
        Probe probe = new Probe();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(probe);
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("--wait", "soon");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--wait").contains("soon");
        assertThat(probe.wait).isNull();
    }
}
