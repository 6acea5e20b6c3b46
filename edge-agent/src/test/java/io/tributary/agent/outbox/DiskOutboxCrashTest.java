package io.tributary.agent.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a JVM that is appending: nothing it confirmed is lost, and the sequence has no gaps. */
class DiskOutboxCrashTest {

    @TempDir
    Path stateDir;

    private final Set<Long> written = new HashSet<>();
    private final Set<Long> acked = new HashSet<>();

    @Test
    void shouldKeepEveryConfirmedBatchAndLeaveNoSequenceGapAcrossKillMinus9() throws Exception {
        long firstStart = runChildAndKill(300);
        long secondStart = runChildAndKill(300);

        assertThat(firstStart).isEqualTo(1);
        assertThat(secondStart).as("the restarted child continues the sequence").isGreaterThan(300);
        try (DiskOutbox outbox = new DiskOutbox(stateDir, OutboxCrashChild.settings())) {
            Set<Long> pending = new TreeSet<>();
            outbox.pending().forEach(p -> pending.add(p.seq()));
            for (long seq : written) {
                if (!acked.contains(seq)) {
                    assertThat(pending).as("confirmed, unacknowledged batch %d survives", seq).contains(seq);
                    assertThat(outbox.read(seq)).isNotNull();
                }
            }
            long last = outbox.nextSequence() - 1;
            assertThat(last).isGreaterThanOrEqualTo(written.stream().mapToLong(Long::longValue).max().orElseThrow());
            for (long seq = 1; seq <= last; seq++) {
                assertThat(pending.contains(seq) || acked.contains(seq))
                        .as("seq %d is pending or was acknowledged (no gap)", seq).isTrue();
            }
        }
    }

    /** Starts the child, lets it confirm {@code atLeast} more appends, kills it with SIGKILL; returns its first seq. */
    private long runChildAndKill(int atLeast) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), OutboxCrashChild.class.getName(), stateDir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long firstSeq = -1;
        int confirmed = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                String[] parts = line.split(" ");
                long seq = Long.parseLong(parts[1]);
                switch (parts[0]) {
                    case "READY" -> firstSeq = seq;
                    case "W" -> {
                        written.add(seq);
                        if (++confirmed == atLeast) {
                            // SIGKILL mid-stream; keep reading what it printed before it died
                            // (ProcessHandle sends SIGKILL without closing our end of the pipe, unlike Process)
                            ProcessHandle.of(child.pid()).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    }
                    case "A" -> acked.add(seq);
                    default -> throw new AssertionError("unexpected child output: " + line);
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        return firstSeq;
    }
}
