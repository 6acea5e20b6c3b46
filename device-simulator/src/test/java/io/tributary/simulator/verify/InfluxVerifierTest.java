package io.tributary.simulator.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InfluxVerifierTest {

    @Test
    void shouldEscapeEverythingButLettersAndDigitsInThePrefix() {
        assertThat(InfluxVerifier.regexLiteral("sim-ab.1/")).isEqualTo("sim\\-ab\\.1\\/");
    }
}
