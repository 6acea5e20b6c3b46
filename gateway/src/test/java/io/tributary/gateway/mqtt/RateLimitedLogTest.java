package io.tributary.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
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

    @Test
    void sanitisesTheDeviceAndTheDetailInEveryLine() {
        CapturingLogger captured = new CapturingLogger();
        RateLimitedLog sanitising = new RateLimitedLog(captured, Duration.ofSeconds(10), clock::get);
        String clientId = "evil\n2026-12-06 WARN forged line\u001b[2J" + "x".repeat(10_000);

        sanitising.log("CONNECT refused: BAD_CREDENTIALS", clientId, "user name\r\nforged");

        assertThat(captured.lines).hasSize(2); // DEBUG and WARN
        for (String line : captured.lines) {
            assertThat(line).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u001b")
                    .contains("evil\\n2026-12-06 WARN forged line\\u001b[2J")
                    .contains("user name\\r\\nforged")
                    .hasSizeLessThan(1_000);
        }
    }

    /** Records the formatted lines, with DEBUG on. */
    private static final class CapturingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                Throwable throwable) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, arguments));
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
