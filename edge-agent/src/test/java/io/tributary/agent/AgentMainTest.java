package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.Map;

class AgentMainTest {

    @TempDir
    Path dir;

    @Test
    void shouldExitWithCode2AndNameTheKeyOfABadConfig() throws Exception {
        Path config = dir.resolve("agent.yaml");
        Files.writeString(config, """
                device: {id: pi-1}
                sensors:
                  - {name: t, type: thermal, interval: often}
                """);

        String err = runCapturingStderr(2, "--config", config.toString(), "--check-config");

        assertThat(err).contains("sensors[0].interval").contains("'often' is not a duration");
    }

    @Test
    void shouldAcceptTheExampleConfig() throws Exception {
        Path secret = Files.writeString(dir.resolve("agent.secret"), "s3cret\n");
        Path example = dir.resolve("agent.yaml");
        Files.writeString(example, Files.readString(Path.of("agent.example.yaml"))
                .replace("/etc/tributary/agent.secret", secret.toString()));
        runCapturingStderr(0, "--config", example.toString(), "--check-config");
    }

    @Test
    void shouldExitWithCode2WhenTheConfigFileIsMissing() throws Exception {
        String err = runCapturingStderr(2, "--config", dir.resolve("nope.yaml").toString(), "--check-config");
        assertThat(err).contains("config: cannot read");
    }

    @Test
    void shouldRefuseUnknownOptionsAndBadDurationsWithCode2() throws Exception {
        assertThat(runCapturingStderr(2, "--frobnicate")).contains("unknown option '--frobnicate'");
        assertThat(runCapturingStderr(2, "--device-id", "x", "--sample-interval", "soon", "--check-config"))
                .contains("--sample-interval: 'soon' is not a positive duration");
        assertThat(runCapturingStderr(2, "--device-id")).contains("--device-id needs a value");
    }

    @Test
    void shouldTakeDefaultsFromTheEnvironmentAndLetOptionsWin() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = AgentMain.run(new String[] {"--check-config", "--device-id=from-option"},
                Map.of("TRIBUTARY_DEVICE_ID", "from-env"), new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err);
        assertThat(exit).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("device: from-option");
    }

    private static String runCapturingStderr(int expectedExit, String... args) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit = AgentMain.run(args, Map.of(), new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), new PrintStream(captured, true, StandardCharsets.UTF_8));
        String err = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(expectedExit);
        return err;
    }
}
