package io.tributary.demo.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void shouldAddUserAndSystemTicks() {
        // utime (field 14) = 1234, stime (field 15) = 566; a command name with spaces and parentheses.
        String line = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 566 7 8 20 0 42 0 1000 1 1";

        assertThat(ProcStat.parseCpuSeconds(line, 100)).isEqualTo(18.0);
    }

    @Test
    void shouldRejectWhatIsNotAStatLine() {
        assertThatThrownBy(() -> ProcStat.parseCpuSeconds("no parenthesis here", 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcStat.parseCpuSeconds("1 (x) S 1 2", 100))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldReadThisProcessAndGiveNaNForAMissingOne() {
        double mine = ProcStat.cpuSeconds(ProcessHandle.current().pid());

        assertThat(mine).isPositive();
        assertThat(ProcStat.cpuSeconds(Long.MAX_VALUE)).isNaN();
    }
}
