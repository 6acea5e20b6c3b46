package io.tributary.localstack.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildGuardianIT {

    @TempDir
    Path tmp;

    private Path dirWithAFile(String name) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir.resolve("nested"));
        Files.writeString(dir.resolve("nested/file"), "x");
        return dir;
    }

    @Test
    void shouldStopTheChildAndRemoveTheDirectoryOnClose() throws Exception {
        Path dir = dirWithAFile("root");
        ChildGuardian guardian = ChildGuardian.start(List.of("sleep", "600"), Map.of(), tmp.resolve("log"), dir);
        ProcessHandle child = guardian.child().orElseThrow();
        assertThat(child.isAlive()).isTrue();
        // The child forks as a subshell and then execs the command: same pid, the name changes a moment later.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> child.info().command().orElse("").endsWith("sleep"));

        guardian.close();

        assertThat(child.isAlive()).isFalse();
        assertThat(dir).doesNotExist();
        assertThat(ProcessHandle.of(guardian.guardianPid())).isEmpty();
    }

    @Test
    void shouldKillAChildThatIgnoresSigterm() throws Exception {
        Path script = tmp.resolve("stubborn");
        Files.writeString(script, "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.1; done\n");
        script.toFile().setExecutable(true);
        ChildGuardian guardian = ChildGuardian.start(List.of(script.toString()), Map.of(), tmp.resolve("log"), null);
        ProcessHandle child = guardian.child().orElseThrow();

        guardian.close();

        assertThat(child.isAlive()).isFalse();
    }

    @Test
    void shouldKeepTheDirectoryWhenAskedTo() throws Exception {
        Path dir = dirWithAFile("kept");
        ChildGuardian guardian = ChildGuardian.start(List.of("sleep", "600"), Map.of(), tmp.resolve("log"), dir);

        guardian.keepDirectory();
        guardian.close();

        assertThat(dir.resolve("nested/file")).exists();
    }

    @Test
    void shouldRemoveTheDirectoryWithoutAChild() throws Exception {
        Path dir = dirWithAFile("only-dir");
        ChildGuardian guardian = ChildGuardian.start(List.of(), Map.of(), null, dir);
        assertThat(guardian.child()).isEmpty();

        guardian.close();

        assertThat(dir).doesNotExist();
    }

    @Test
    void shouldPassTheEnvironmentToTheChild() throws Exception {
        Path out = tmp.resolve("env-out");
        ChildGuardian guardian = ChildGuardian.start(List.of("sh", "-c", "echo \"$GUARDIAN_TEST\"; sleep 600"),
                Map.of("GUARDIAN_TEST", "hello from env"), out, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(out)
                && Files.readString(out).contains("hello from env"));
        guardian.close();
    }

    @Test
    void shouldStillStopTheChildWhenTheGuardianWasKilled() throws Exception {
        ChildGuardian guardian = ChildGuardian.start(List.of("sleep", "600"), Map.of(), tmp.resolve("log"), null);
        ProcessHandle child = guardian.child().orElseThrow();
        ProcessHandle.of(guardian.guardianPid()).orElseThrow().destroyForcibly();

        guardian.close();

        // The orphaned child belongs to init now, which may take a while to reap it: a zombie has stopped all the same.
        await().atMost(Duration.ofSeconds(10)).until(() -> !runs(child));
    }

    /** Whether the process still runs; an exited one stays visible (state Z) until its parent reaps it. */
    private static boolean runs(ProcessHandle process) throws IOException {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
