package io.tributary.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {

    private final AtomicLong clock = new AtomicLong(1_000);
    private final LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), clock::get);

    @Test
    void letsTheFirstEventThroughThenHoldsBackUntilTheIntervalEnds() {
        assertThat(throttle.pass("k")).isZero();
        assertThat(throttle.pass("k")).isEqualTo(LogThrottle.HELD_BACK);
        clock.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
        assertThat(throttle.pass("k")).isEqualTo(LogThrottle.HELD_BACK);
        clock.addAndGet(1);

        assertThat(throttle.pass("k")).as("held back since the last pass").isEqualTo(2);
        assertThat(throttle.pass("k")).isEqualTo(LogThrottle.HELD_BACK);
    }

    @Test
    void countsFromZeroAgainAfterEachPass() {
        throttle.pass("k");
        for (int i = 0; i < 5; i++) {
            throttle.pass("k");
        }
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(throttle.pass("k")).isEqualTo(5);
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(throttle.pass("k")).isZero();
    }

    @Test
    void throttlesEachKeyOnItsOwn() {
        assertThat(throttle.pass("a")).isZero();
        assertThat(throttle.pass(1)).isZero();
        assertThat(throttle.pass("a")).isEqualTo(LogThrottle.HELD_BACK);
        assertThat(throttle.pass(1)).isEqualTo(LogThrottle.HELD_BACK);
    }

    @Test
    void refusesANegativeInterval() {
        assertThatThrownBy(() -> new LogThrottle(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("interval");
    }

    @Test
    void saysItsIntervalInSeconds() {
        assertThat(throttle.intervalSeconds()).isEqualTo(10);
    }
}
