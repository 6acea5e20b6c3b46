package io.tributary.processor.writer;

import io.tributary.common.Backoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void shouldDoubleUpToTheCapAndStartOverAfterReset() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), Backoff.Jitter.NONE, () -> 0);

        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(400));
        for (int i = 0; i < 4; i++) {
            backoff.next();
        }
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(10_000)); // 12.8 s capped
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(10_000));
        assertThat(backoff.failures()).isEqualTo(9);

        backoff.reset();
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.failures()).isEqualTo(1);
    }

    @Test
    void shouldNotOverflowAfterManyFailures() {
        Backoff backoff = new Backoff(Duration.ofNanos(1), Duration.ofDays(36_500), Backoff.Jitter.NONE, () -> 0);
        Duration last = Duration.ZERO;
        for (int i = 0; i < 200; i++) {
            last = backoff.next();
        }
        assertThat(last).isEqualTo(Duration.ofDays(36_500));
    }

    @Test
    void shouldRejectACapBelowTheStart() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), Backoff.Jitter.NONE, () -> 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
