package io.tributary.agent.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchSequenceTest {

    @TempDir
    Path stateDir;

    @Test
    void shouldKeepGrowingAcrossRestarts() {
        BatchSequence first = new BatchSequence(stateDir);
        assertThat(first.next()).isEqualTo(1);
        assertThat(first.next()).isEqualTo(2);

        BatchSequence afterRestart = new BatchSequence(stateDir);

        assertThat(afterRestart.next()).isEqualTo(3);
    }

    @Test
    void shouldRefuseACorruptFileInsteadOfStartingOver() throws Exception {
        Files.writeString(stateDir.resolve("batch-seq"), "garbage");

        assertThatThrownBy(() -> new BatchSequence(stateDir)).hasMessageContaining("corrupt");
    }
}
