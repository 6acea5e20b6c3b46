package io.tributary.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

class RateLimitedLogTest {

    private final AtomicLong clock = new AtomicLong(1_000);
    private final RateLimitedLog log = new RateLimitedLog(NOPLogger.NOP_LOGGER, Duration.ofSeconds(10), clock::get);

    @Test
    void writesOneWarningPerCategoryAndInterval() {
        assertThat(log.log("bad-payload", "d1", "x")).isTrue();
        for (int i = 0; i < 1000; i++) {
            assertThat(log.log("bad-payload", "d1", "x")).isFalse();
        }
        clock.addAndGet(Duration.ofSeconds(10).toNanos());

        assertThat(log.log("bad-payload", "d1", "x")).isTrue();
        assertThat(log.log("bad-payload", "d1", "x")).isFalse();
    }

    @Test
    void limitsEachCategoryOnItsOwn() {
        assertThat(log.log("a", "d1", "x")).isTrue();
        assertThat(log.log("b", "d1", "x")).isTrue();
        assertThat(log.log("a", "d1", "x")).isFalse();
    }
}
