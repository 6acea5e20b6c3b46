package io.tributary.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static long[] millis(Backoff backoff, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = backoff.nextMillis();
        }
        return out;
    }

    @Test
    void shouldDrawFullJitterBetweenZeroAndTheDoublingCeiling() {
        Backoff low = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Backoff.Jitter.FULL, () -> 0.0);
        Backoff half = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Backoff.Jitter.FULL, () -> 0.5);
        Backoff high = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Backoff.Jitter.FULL,
                () -> 0.999999);

        assertThat(millis(low, 7)).containsOnly(0);
        assertThat(millis(half, 7)).containsExactly(500, 1000, 2000, 4000, 8000, 15000, 15000);
        assertThat(millis(high, 7)).containsExactly(999, 1999, 3999, 7999, 15999, 29999, 29999);
    }

    @Test
    void shouldKeepEqualJitterInTheUpperHalfOfTheCeiling() {
        Backoff low = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Backoff.Jitter.EQUAL, () -> 0.0);
        Backoff high = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Backoff.Jitter.EQUAL,
                () -> 0.999999);

        assertThat(millis(low, 8)).containsExactly(500, 1000, 2000, 4000, 8000, 15000, 15000, 15000);
        assertThat(millis(high, 8)).containsExactly(999, 1999, 3999, 7999, 15999, 29999, 29999, 29999);
    }

    @Test
    void shouldDoubleUpToTheCapWithoutJitterAndStartOverAfterReset() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), Backoff.Jitter.NONE,
                () -> 0.3);

        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(400));
        for (int i = 0; i < 4; i++) {
            backoff.next();
        }
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(10)); // 12.8 s capped
        assertThat(backoff.failures()).isEqualTo(8);

        backoff.reset();
        assertThat(backoff.failures()).isZero();
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.failures()).isEqualTo(1);
    }

    @Test
    void shouldStayWithinTheCeilingWithTheDefaultRandomSource() {
        Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofMillis(80));
        for (int i = 0; i < 1_000; i++) {
            long ceiling = Math.min(80, 10L << Math.min(i, 10));
            assertThat(backoff.next()).isBetween(Duration.ZERO, Duration.ofMillis(ceiling));
        }
    }

    @Test
    void shouldNotOverflowAfterManyFailuresOrWithAHugeCap() {
        Backoff backoff = new Backoff(Duration.ofNanos(1), Duration.ofDays(365L * 1_000_000), Backoff.Jitter.NONE,
                () -> 0.0);
        Duration last = Duration.ZERO;
        for (int i = 0; i < 200; i++) {
            last = backoff.next();
            assertThat(last).isPositive();
        }
        assertThat(last).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
    }

    @Test
    void shouldRejectAZeroStartOrACapBelowTheStart() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT2S").hasMessageContaining("PT1S");
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 < initial <= max");
    }
}
