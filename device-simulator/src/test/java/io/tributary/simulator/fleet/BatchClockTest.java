package io.tributary.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchClockTest {

    @Test
    void firesOnlyDevicesThatAreDueInDueOrder() {
        BatchClock clock = new BatchClock();
        clock.add(0, 300, 1_000);
        clock.add(1, 100, 1_000);
        clock.add(2, 900, 1_000);
        List<Integer> fired = new ArrayList<>();

        assertThat(clock.fire(50, fired::add)).isZero();
        assertThat(clock.fire(300, fired::add)).isEqualTo(2);

        assertThat(fired).containsExactly(1, 0);
        assertThat(clock.nextDueNanos()).isEqualTo(900);
    }

    @Test
    void aLateFireCatchesUpOncePerMissedInterval() {
        BatchClock clock = new BatchClock();
        clock.add(7, 0, 100);
        List<Integer> fired = new ArrayList<>();

        clock.fire(0, fired::add);
        clock.fire(450, fired::add); // due at 100, 200, 300 and 400

        assertThat(fired).hasSize(5).containsOnly(7);
        assertThat(clock.nextDueNanos()).isEqualTo(500);
    }

    @Test
    void keepsEachDevicesRateWhateverThePeriodOfTheTimer() {
        BatchClock clock = new BatchClock();
        clock.add(0, 10, 30);
        clock.add(1, 20, 70);
        int[] perDevice = new int[2];

        for (long now = 0; now <= 2_100; now += 700) { // a timer much coarser than either interval
            clock.fire(now, device -> perDevice[device]++);
        }

        // due at 10, 40, ..., 2080 and at 20, 90, ..., 2050 (by 2100): exactly as often as their intervals say
        assertThat(perDevice).containsExactly(70, 30);
    }

    @Test
    void refusesANonPositiveInterval() {
        BatchClock clock = new BatchClock();

        assertThatThrownBy(() -> clock.add(0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intervalNanos");
        assertThat(clock.nextDueNanos()).isEqualTo(Long.MAX_VALUE);
    }
}
