package io.tributary.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contract.metadata.DeviceLabels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The labels arguments of {@code devices add} and {@code devices label}: refused before Kafka is asked. */
class DevicesLabelsCliTest {

    /** Nothing listens on port 1: a command that got past its argument checks would fail with the Kafka exit code. */
    private static final List<String> NO_KAFKA = List.of("--kafka-bootstrap", "127.0.0.1:1", "--timeout", "1s");

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(NO_KAFKA);
        CommandLine command = new CommandLine(new DevicesMain());
        command.setOut(new PrintWriter(new StringWriter(), true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(all.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no equals sign | add d-1 --label site | label 'site' is not key=value",
        "upper-case key | add d-1 --label Site=plant-3 | label key 'Site' must be a lower-case letter",
        "reserved key | add d-1 --label device=x | label key 'device' is reserved",
        "empty value | add d-1 --label site= | label site: value '' must be 1 to 64",
        "semicolon in value | label d-1 site=plant-3;drop | value 'plant-3;drop' must be",
        "key given twice | add d-1 --label site=a --label site=b | label 'site' is given twice",
        "nothing to change | label d-1 | give at least one KEY=VALUE or --unlabel KEY",
        "set and removed | label d-1 site=a --unlabel site | label 'site' is both set and removed",
    })
    void shouldRefuseBadLabelsAsAUsageErrorWithoutAskingKafka(String why, String args, String message) {
        assertThat(run(args.split(" "))).as(why).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).as(why).contains(message).doesNotContain("Kafka at");
    }

    @Test
    void shouldRefuseMoreLabelsThanADeviceMayHave() {
        List<String> args = new ArrayList<>(List.of("label", "d-1"));
        for (int i = 0; i <= DeviceLabels.MAX_LABELS; i++) {
            args.add("k" + i + "=v");
        }
        assertThat(run(args.toArray(String[]::new))).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("at most " + DeviceLabels.MAX_LABELS + " labels, got 17");
    }

    @Test
    void shouldReachKafkaOnlyWithValidLabels() {
        assertThat(run("label", "d-1", "site=plant-4", "--unlabel", "kind")).isEqualTo(DevicesMain.EXIT_KAFKA);
        assertThat(err.toString()).contains("error: Kafka at 127.0.0.1:1");
    }

    @Test
    void shouldFormatLabelsSortedByKeyOrADashForNone() {
        assertThat(LabelCommand.format(new DeviceLabels("d-1", Map.of("site", "plant-3", "kind", "motor"),
                Instant.EPOCH))).isEqualTo("kind=motor,site=plant-3");
        assertThat(LabelCommand.format(DeviceLabels.none("d-1"))).isEqualTo("-");
    }
}
