package io.tributary.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void shouldGrowExponentiallyUpToTheCapWithJitterInTheUpperHalf() {
        Backoff low = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), () -> 0.0);
        Backoff high = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), () -> 0.999999);
        long[] lows = new long[8];
        long[] highs = new long[8];
        for (int i = 0; i < 8; i++) {
            lows[i] = low.nextDelayMs();
            highs[i] = high.nextDelayMs();
        }
        assertThat(lows).containsExactly(500, 1000, 2000, 4000, 8000, 15000, 15000, 15000);
        assertThat(highs).containsExactly(999, 1999, 3999, 7999, 15999, 29999, 29999, 29999);
        low.reset();
        assertThat(low.nextDelayMs()).isEqualTo(500);
    }
}
