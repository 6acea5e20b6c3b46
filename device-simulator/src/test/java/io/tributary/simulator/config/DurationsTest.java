package io.tributary.simulator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void shouldParseTheShortFormsAndIso() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("40s")).isEqualTo(Duration.ofSeconds(40));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void shouldNameTheBadValueAndShowExamples() {
        assertThatThrownBy(() -> Durations.parse("forty seconds"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'forty seconds'").hasMessageContaining("40s");
    }
}
