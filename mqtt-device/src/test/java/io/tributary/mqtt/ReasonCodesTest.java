package io.tributary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.mqtt.ReasonCodes.Kind;
import org.junit.jupiter.api.Test;

class ReasonCodesTest {

    @Test
    void shouldTreatSuccessCodesAsAccepted() {
        assertThat(ReasonCodes.classify(0x00)).isEqualTo(Kind.ACCEPTED);
        assertThat(ReasonCodes.classify(0x10)).as("no matching subscribers is still success").isEqualTo(Kind.ACCEPTED);
    }

    @Test
    void shouldTreatRefusalsOfTheBatchItselfAsPermanent() {
        for (int code : new int[] {0x87, 0x90, 0x95, 0x99, 0x9A, 0x9B}) {
            assertThat(ReasonCodes.classify(code)).as(ReasonCodes.describe(code)).isEqualTo(Kind.PERMANENT);
        }
    }

    @Test
    void shouldTreatLoadAndUnknownCodesAsTransientSoNothingIsDroppedByMistake() {
        for (int code : new int[] {0x80, 0x83, 0x91, 0x97, 0x89, 0x9F, 0xC0, 0xFF}) {
            assertThat(ReasonCodes.classify(code)).as(ReasonCodes.describe(code)).isEqualTo(Kind.TRANSIENT);
        }
    }

    @Test
    void shouldTellLoadFromCredentialsInConnackRefusals() {
        assertThat(ReasonCodes.connectRefusalIsLoad(0x89)).isTrue();
        assertThat(ReasonCodes.connectRefusalIsLoad(0x9F)).isTrue();
        assertThat(ReasonCodes.connectRefusalIsLoad(0x97)).isTrue();
        assertThat(ReasonCodes.connectRefusalIsLoad(0x86)).isFalse();
        assertThat(ReasonCodes.connectRefusalIsLoad(0x87)).isFalse();
    }

    @Test
    void shouldDescribeWithTheReasonStringMadeSafeForOneLogLine() {
        assertThat(new PubAck(0x99, "reading 3 (temp): not finite").describe())
                .isEqualTo("0x99 payload format invalid: reading 3 (temp): not finite");
        assertThat(PubAck.of(0x97).describe()).isEqualTo("0x97 quota exceeded");
        assertThat(new PubAck(0x99, "a\nfake log line\r").describe()).doesNotContain("\n", "\r")
                .contains("a?fake log line?");
        assertThat(new PubAck(0x99, "x".repeat(1000)).describe()).hasSizeLessThan(240).endsWith("...");
        assertThat(PubAck.of(0).kind()).isEqualTo(Kind.ACCEPTED);
    }
}
