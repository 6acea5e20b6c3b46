package io.tributary.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void shouldParseEveryUnitOfTheShortForm() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void shouldParseDecimalsExactly() {
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("1.5m")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("0.25ms")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(Durations.parse("0.5d")).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void shouldAcceptABareZeroAndZeroWithAUnit() {
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse("0ms")).isEqualTo(Duration.ZERO);
    }

    @Test
    void shouldParseIso8601AsTheGatewayOptionsAlwaysDid() {
        assertThat(Durations.parse("PT0.002S")).isEqualTo(Duration.ofMillis(2));
        assertThat(Durations.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("pt10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("P1D")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("-PT5S")).isEqualTo(Duration.ofSeconds(-5));
    }

    @Test
    void shouldAcceptWhatTheOldParsersAcceptedCaseSpacesAndSign() {
        assertThat(Durations.parse(" 10S ")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("500MS")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("10 s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("-5s")).as("negative: the caller's config rejects it with its key")
                .isEqualTo(Duration.ofSeconds(-5));
        assertThat(Durations.parse("+5s")).isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "5", "10 seconds", "5x", "s", "1.s", ".5s", "1,5s", "PTXS", "5ms5", "--5s", "0.0"})
    void shouldRejectWhatIsNotADurationNamingTheText(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not a duration")
                .hasMessageContaining("40s");
    }

    @Test
    void shouldRejectEmptyAndNullWithAnExample() {
        for (String text : new String[] {null, "", "   "}) {
            assertThatThrownBy(() -> Durations.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must not be empty").hasMessageContaining("500ms");
        }
    }

    @Test
    void shouldRejectADurationTooLongToHoldNamingTheText() {
        assertThatThrownBy(() -> Durations.parse("99999999999999999999d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'99999999999999999999d' is not a duration");
    }

    @Test
    void shouldFormatWithTheLargestUnitThatSaysTheSame() {
        assertThat(Durations.format(Duration.ofHours(24))).isEqualTo("24h");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Durations.format(Duration.ofNanos(250_000))).isEqualTo("0.25ms");
        assertThat(Durations.format(Duration.ofSeconds(-5))).isEqualTo("-5s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"250ms", "30s", "2m", "1h", "0.25ms", "1500ms", "-5s", "-0.5ms", "PT0.000001S"})
    void shouldReadBackWhatItFormats(String text) {
        Duration d = Durations.parse(text);

        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
}
