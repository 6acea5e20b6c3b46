package io.tributary.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LogSanitizerTest {

    @Test
    void leavesPrintableTextAloneIncludingNonLatinLetters() {
        assertThat(LogSanitizer.sanitize("sensor-17@site.a:b")).isEqualTo("sensor-17@site.a:b");
        assertThat(LogSanitizer.sanitize("Füße 温度 😀")).isEqualTo("Füße 温度 😀");
    }

    @Test
    void escapesLineBreaksSoADeviceCannotForgeALogLine() {
        String forged = "dev\n2026-12-06 INFO Gateway started [device: admin]\r";

        String safe = LogSanitizer.sanitize(forged);

        assertThat(safe).doesNotContain("\n").doesNotContain("\r")
                .isEqualTo("dev\\n2026-12-06 INFO Gateway started [device: admin]\\r");
    }

    @Test
    void escapesTerminalControlSequencesBidiOverridesAndLineSeparators() {
        assertThat(LogSanitizer.sanitize("a\u001b[31mred\u0007")).isEqualTo("a\\u001b[31mred\\u0007");
        assertThat(LogSanitizer.sanitize("x\u202Eevil\u2028y\u0085z\u007f")).isEqualTo(
                "x\\u202eevil\\u2028y\\u0085z\\u007f");
        assertThat(LogSanitizer.sanitize("tab\there\u0000")).isEqualTo("tab\\there\\u0000");
    }

    @Test
    void escapesBackslashesSoAnEscapeInTheOutputIsNeverTheDevicesOwnText() {
        assertThat(LogSanitizer.sanitize("a\\nb")).isEqualTo("a\\\\nb");
        assertThat(LogSanitizer.sanitize("a\nb")).isNotEqualTo(LogSanitizer.sanitize("a\\nb"));
    }

    @Test
    void escapesLoneSurrogatesButKeepsPairs() {
        assertThat(LogSanitizer.sanitize("a\uD800b")).isEqualTo("a\\ud800b");
        assertThat(LogSanitizer.sanitize("a\uDC00")).isEqualTo("a\\udc00");
    }

    @Test
    void boundsTheLengthAndSaysHowMuchWasLeftOut() {
        String huge = "x".repeat(100_000);

        String safe = LogSanitizer.sanitize(huge);

        assertThat(safe).startsWith("x".repeat(LogSanitizer.DEFAULT_MAX_LENGTH))
                .endsWith("...(" + (100_000 - LogSanitizer.DEFAULT_MAX_LENGTH) + " more chars)")
                .hasSizeLessThan(LogSanitizer.DEFAULT_MAX_LENGTH + 40);
        assertThat(LogSanitizer.sanitize("abcdef", 3)).isEqualTo("abc...(3 more chars)");
    }

    @Test
    void neverCutsASurrogatePairInHalf() {
        assertThat(LogSanitizer.sanitize("ab😀cd", 3)).isEqualTo("ab...(4 more chars)");
    }

    @Test
    void printsNullAndRejectsANonsenseBound() {
        assertThat(LogSanitizer.sanitize(null)).isEqualTo("null");
        assertThatThrownBy(() -> LogSanitizer.sanitize("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
