package io.tributary.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code LocalStackMain} in a child JVM: the stdout contract, and nothing left behind whether the JVM is stopped with
 * SIGTERM or killed with SIGKILL (where no Java code runs: the guardian process must clean up).
 */
class LocalStackMainIT {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path javaTmp;

    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
        }
    }

    private record Started(Map<String, String> settings, List<String> lines, ProcessHandle influxd, Path stackDir) {
    }

    private Started startMain(String name) throws Exception {
        Path stderr = Path.of("target", "LocalStackMainIT-" + name + ".stderr.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-Xmx256m", "-Djava.io.tmpdir=" + javaTmp,
                "-cp", System.getProperty("java.class.path"), LocalStackMain.class.getName(), "--partitions", "1")
                .redirectError(stderr.toFile())
                .start();
        BufferedReader stdout = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
        List<String> lines = CompletableFuture.supplyAsync(() -> {
            List<String> read = new java.util.ArrayList<>();
            try {
                for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
                    read.add(line);
                    if (line.equals("READY")) {
                        return read;
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new AssertionError("stdout ended before READY: " + read + "; stderr in " + stderr);
        }).get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : lines.subList(0, lines.size() - 1)) {
            int eq = line.indexOf('=');
            assertThat(eq).as("line %s", line).isPositive();
            settings.put(line.substring(0, eq), line.substring(eq + 1));
        }
        ProcessHandle influxd = child.descendants()
                .filter(p -> p.info().command().orElse("").endsWith("/influxd"))
                .findFirst().orElseThrow(() -> new AssertionError("no influxd under the child JVM"));
        Path stackDir;
        try (Stream<Path> entries = Files.list(javaTmp)) {
            stackDir = entries.filter(p -> p.getFileName().toString().startsWith("tributary-local-stack-"))
                    .findFirst().orElseThrow(() -> new AssertionError("no stack temp dir in " + javaTmp));
        }
        return new Started(settings, lines, influxd, stackDir);
    }

    private void assertNothingLeft(Started started) {
        await().atMost(CLEANUP_TIMEOUT).untilAsserted(() -> {
            assertThat(started.influxd().isAlive()).as("influxd pid %d alive", started.influxd().pid()).isFalse();
            assertThat(started.stackDir()).doesNotExist();
        });
    }

    @Test
    void shouldPrintTheSettingsThenReady() throws Exception {
        Started started = startMain("settings");

        assertThat(started.lines()).last().isEqualTo("READY");
        assertThat(started.settings().keySet()).containsExactly("KAFKA_BOOTSTRAP", "INFLUX_URL", "INFLUX_DIRECT_URL",
                "INFLUX_TOKEN", "INFLUX_ORG", "INFLUX_BUCKET");
        assertThat(started.settings().get("KAFKA_BOOTSTRAP")).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(started.settings().get("INFLUX_URL")).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(started.settings().get("INFLUX_DIRECT_URL")).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(started.settings()).containsEntry("INFLUX_TOKEN", "local-stack")
                .containsEntry("INFLUX_ORG", "tributary").containsEntry("INFLUX_BUCKET", "telemetry");

        child.destroy();

        assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child JVM exits on SIGTERM").isTrue();
        assertNothingLeft(started);
    }

    @Test
    void shouldLeaveNothingBehindWhenTheJvmIsKilled() throws Exception {
        Started started = startMain("sigkill");
        assertThat(started.influxd().isAlive()).isTrue();
        assertThat(started.stackDir()).isDirectory();

        child.destroyForcibly();

        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertNothingLeft(started);
    }
}
