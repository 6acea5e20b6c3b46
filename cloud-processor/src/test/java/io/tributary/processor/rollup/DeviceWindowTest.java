package io.tributary.processor.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DeviceWindowTest {

    private static final int MAX = Integer.MAX_VALUE;
    static final WindowSize TEN_SECONDS = WindowSize.of(Duration.ofSeconds(10));

    @Test
    void shouldAggregateEachSensorApartAndSurviveTheStoreRoundTrip() {
        DeviceWindow window = DeviceWindow.empty();
        window.add("d1", "temp", TEN_SECONDS, 10_000, 20.0, 11_000_000_000L, MAX, MAX);
        window.add("d1", "hum", TEN_SECONDS, 10_000, 50.0, 11_000_000_000L, MAX, MAX);
        window.add("d1", "temp", TEN_SECONDS, 10_000, 10.0, 12_000_000_000L, MAX, MAX);

        DeviceWindow restored = DeviceWindow.fromBytes(window.toBytes());

        assertThat(restored.accumulators()).containsExactlyElementsOf(window.accumulators());
        assertThat(restored.accumulators()).extracting(a -> a.sensor() + ":" + a.count() + ":" + a.min() + ":" + a.last())
                .containsExactly("temp:2:10.0:10.0", "hum:1:50.0:50.0");
        restored.add("d1", "hum", TEN_SECONDS, 10_000, 40.0, 13_000_000_000L, MAX, MAX);
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

    @Test
    void shouldReadEntriesWrittenBeforeTheRunningMeanAsSums() {
        // The first format: count, (length, accumulator whose slot after max is the sum).
        RollupAccumulator acc = new RollupAccumulator("d1", "temp", "10s", 10_000, 20_000, 4, 1.0, 9.0, 20.0,
                11_000_000_000L, 9.0);
        byte[] part = acc.toBytes();
        java.nio.ByteBuffer legacy = java.nio.ByteBuffer.allocate(8 + part.length).putInt(1).putInt(part.length)
                .put(part);

        DeviceWindow restored = DeviceWindow.fromBytes(legacy.array());

        assertThat(restored.accumulators()).singleElement().satisfies(a -> {
            assertThat(a.mean()).isEqualTo(5.0);
            assertThat(a.toRollup().getMean()).isEqualTo(5.0);
        });
    }

    @Test
    void shouldRefuseANewSensorBeyondTheBoundsButKeepAddingToKnownOnes() {
        DeviceWindow window = DeviceWindow.empty();
        assertThat(window.add("d1", "a", TEN_SECONDS, 10_000, 1, 1L, 2, 1 << 20)).isTrue();
        assertThat(window.add("d1", "b", TEN_SECONDS, 10_000, 1, 1L, 2, 1 << 20)).isTrue();
        assertThat(window.add("d1", "c", TEN_SECONDS, 10_000, 1, 1L, 2, 1 << 20)).isFalse();
        assertThat(window.add("d1", "a", TEN_SECONDS, 10_000, 3, 2L, 2, 1 << 20)).isTrue();
        assertThat(window.add("d1", "x".repeat(2_000), TEN_SECONDS, 10_000, 1, 1L, 100, 1_500)).isFalse();
        assertThat(window.encodedBytes()).isEqualTo(window.toBytes().length);
        assertThat(window.accumulators()).extracting(RollupAccumulator::count).containsExactly(2L, 1L);
    }

    @Test
    void shouldAverageExtremeValuesWithoutOverflow() {
        RollupAccumulator acc = RollupAccumulator.first("d", "s", TEN_SECONDS, 0, Double.MAX_VALUE, 1)
                .add(Double.MAX_VALUE, 2).add(-Double.MAX_VALUE, 3).add(-Double.MAX_VALUE, 4);
        assertThat(Double.isFinite(acc.mean())).isTrue();
        assertThat(Math.abs(acc.mean())).isLessThan(1e300);
    }
}
