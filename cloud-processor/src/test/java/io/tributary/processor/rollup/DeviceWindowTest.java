package io.tributary.processor.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DeviceWindowTest {

    static final WindowSize TEN_SECONDS = WindowSize.of(Duration.ofSeconds(10));

    @Test
    void shouldAggregateEachSensorApartAndSurviveTheStoreRoundTrip() {
        DeviceWindow window = DeviceWindow.empty();
        window.add("d1", "temp", TEN_SECONDS, 10_000, 20.0, 11_000_000_000L);
        window.add("d1", "hum", TEN_SECONDS, 10_000, 50.0, 11_000_000_000L);
        window.add("d1", "temp", TEN_SECONDS, 10_000, 10.0, 12_000_000_000L);

        DeviceWindow restored = DeviceWindow.fromBytes(window.toBytes());

        assertThat(restored.accumulators()).containsExactlyElementsOf(window.accumulators());
        assertThat(restored.accumulators()).extracting(a -> a.sensor() + ":" + a.count() + ":" + a.min() + ":" + a.last())
                .containsExactly("temp:2:10.0:10.0", "hum:1:50.0:50.0");
        restored.add("d1", "hum", TEN_SECONDS, 10_000, 40.0, 13_000_000_000L);
        assertThat(restored.accumulators()).extracting(RollupAccumulator::count).containsExactly(2L, 2L);
    }

    @Test
    void shouldRoundTripAnEmptyWindow() {
        assertThat(DeviceWindow.fromBytes(DeviceWindow.empty().toBytes()).accumulators()).isEmpty();
    }

    @Test
    void shouldRefuseBytesThatAreNotADeviceWindow() {
        assertThatThrownBy(() -> DeviceWindow.fromBytes(new byte[] {0x7f, 0, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a DeviceWindow");
    }
}
