package io.tributary.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {

    @Test
    void shouldAddUserAndSystemTicks() {
        // utime (field 14) = 1234, stime (field 15) = 566; a command name with spaces and parentheses.
        String line = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 566 7 8 20 0 42 0 1000 1 1";

        assertThat(ProcessCpu.parseCpuSeconds(line, 100)).isEqualTo(18.0);
        assertThat(ProcessCpu.parseCpuSeconds(line, 1000)).isEqualTo(1.8);
    }

    @Test
    void shouldRejectWhatIsNotAStatLineNamingIt() {
        assertThatThrownBy(() -> ProcessCpu.parseCpuSeconds("no parenthesis here", 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no parenthesis here");
        assertThatThrownBy(() -> ProcessCpu.parseCpuSeconds("1 (x) S 1 2", 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 (x) S 1 2");
        assertThatThrownBy(() -> ProcessCpu.parseCpuSeconds("1 (x) S 1 2 3 4 5 6 7 8 9 10 u s", 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a number");
    }

    @Test
    void shouldReadThisProcessAndGiveNaNForAMissingOne() {
        double mine = ProcessCpu.cpuSeconds(ProcessHandle.current().pid());

        assertThat(mine).isPositive();
        assertThat(ProcessCpu.cpuSeconds(Long.MAX_VALUE)).isNaN();
    }
}
