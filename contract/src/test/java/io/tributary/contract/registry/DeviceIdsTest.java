package io.tributary.contract.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeviceIdsTest {

    @Test
    void acceptsLettersDigitsAndTheFiveSeparatorsUpTo128() {
        assertThat(DeviceIds.isValid("sensor-17@site.a:b_c")).isTrue();
        assertThat(DeviceIds.isValid("d".repeat(DeviceIds.MAX_LENGTH))).isTrue();
    }

    @Test
    void refusesWildcardsSeparatorsSpacesControlsAndOverlongIds() {
        for (String bad : new String[] {null, "", "a/b", "a+", "#", "a b", "a\nb", "é", "d".repeat(129)}) {
            assertThat(DeviceIds.isValid(bad)).as(String.valueOf(bad)).isFalse();
        }
    }
}
