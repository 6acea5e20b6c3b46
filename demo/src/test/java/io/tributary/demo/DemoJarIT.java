package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged demo, run the way {@code ./tributary demo} runs it: a separate JVM on the runnable jar and its lib/
 * directory — which the test classpath cannot vouch for — from the repository's root, with the default scenario.
 */
class DemoJarIT {

    @Test
    void shouldRunFromItsJarAndEndWithASummaryLine() throws IOException, InterruptedException {
        Path jar = Path.of("target", "tributary-demo.jar");
        assertThat(jar).exists();
        Path workDir = Files.createTempDirectory("demo-jar-it");
        Path output = workDir.resolve("output.txt");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toAbsolutePath().toString(), "--duration", "5s")
                .directory(Path.of("..").toFile()) // the launcher's working directory, which has a demo/ directory
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("TRIBUTARY_LOG_DIR", workDir.toString());
        Process demo = builder.start();
        try {
            boolean finished = demo.waitFor(120, TimeUnit.SECONDS);
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            assertThat(finished).as("demo finished; output: %s", lines).isTrue();
            assertThat(demo.exitValue()).as("exit code; output: %s", lines).isZero();
            String last = lines.get(lines.size() - 1);
            assertThat(last).startsWith("SUMMARY {").contains("\"lost_readings\":0", "\"scenario\":\"demo\"");
            assertThat(last).doesNotContain("\"published_readings\":0,");
            assertThat(workDir.resolve("demo.log")).as("the log goes to TRIBUTARY_LOG_DIR").isNotEmptyFile();
        } finally {
            demo.destroyForcibly();
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
