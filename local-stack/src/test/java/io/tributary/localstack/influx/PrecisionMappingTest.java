package io.tributary.localstack.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PrecisionMappingTest {

    @ParameterizedTest(name = "v2 {0} -> 1.x {1}")
    @CsvSource({"ns, n", "us, u", "ms, ms", "s, s"})
    void shouldMapEveryV2PrecisionToTheOneInfluxd16Understands(String v2, String v1) {
        assertThat(PrecisionMapping.toV1(v2)).isEqualTo(v1);
    }

    @Test
    void shouldNeverPassMicrosecondsAsUsWhichInfluxd16ReadsAsNanoseconds() {
        assertThat(PrecisionMapping.toV1("us")).isNotEqualTo("us").isEqualTo("u");
    }

    @Test
    void shouldDefaultToNanosecondsWhenPrecisionIsMissing() {
        assertThat(PrecisionMapping.toV1(null)).isEqualTo("n");
        assertThat(PrecisionMapping.toV1("")).isEqualTo("n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"u", "n", "h", "m", "NS", "nanoseconds", " ns"})
    void shouldRejectAnythingTheV2ApiDoesNotAccept(String precision) {
        assertThatThrownBy(() -> PrecisionMapping.toV1(precision))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid precision")
                .hasMessageContaining(precision);
    }
}
