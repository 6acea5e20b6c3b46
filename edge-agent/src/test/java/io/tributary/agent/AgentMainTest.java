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

    @Test
    void shouldRefuseAPasswordOnTheCommandLineNamingPasswordFileWithoutEchoingIt() throws Exception {
        for (String[] args : new String[][] {{"--device-id", "x", "--password", "hunter2", "--check-config"},
                {"--device-id", "x", "--password=hunter2", "--check-config"}}) {
            String err = runCapturingStderr(2, args);
            assertThat(err).contains("--password is not accepted", "--password-file FILE").doesNotContain("hunter2");
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit = AgentMain.run(new String[] {"--device-id", "x", "--check-config"},
                Map.of("TRIBUTARY_DEVICE_PASSWORD", "hunter2"), new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8), new PrintStream(captured, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("TRIBUTARY_DEVICE_PASSWORD_FILE")
                .doesNotContain("hunter2");
    }

    @Test
    void shouldTakeThePasswordFileFromTheOptionOrTheEnvironment() throws Exception {
        Path secret = Files.writeString(dir.resolve("agent.secret"), "s3cret\n");
        runCapturingStderr(0, "--device-id", "x", "--password-file", secret.toString(), "--check-config");
        String err = runCapturingStderr(2, "--device-id", "x", "--password-file", dir.resolve("nope").toString(),
                "--check-config");
        assertThat(err).contains("--password-file", "nope");

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit = AgentMain.run(new String[] {"--device-id", "x", "--check-config"},
                Map.of("TRIBUTARY_DEVICE_PASSWORD_FILE", dir.resolve("missing").toString()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(captured, true, StandardCharsets.UTF_8));
        assertThat(exit).as("the env variable names a file, and a missing one is an error").isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("--password-file", "missing");
    }

    @Test
    void shouldDocumentPasswordFileAndNotPasswordInTheHelp() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(AgentMain.run(new String[] {"--help"}, Map.of(), new PrintStream(out, true,
                StandardCharsets.UTF_8), System.err)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--password-file FILE",
                "TRIBUTARY_DEVICE_PASSWORD_FILE").doesNotContain("--password SECRET");
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
