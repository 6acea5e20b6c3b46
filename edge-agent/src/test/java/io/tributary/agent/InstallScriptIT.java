package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** install.sh into a prefix: files, unit, AppCDS archive usable by the installed flags, validation, uninstall. */
class InstallScriptIT {

    @TempDir
    Path prefix;

    private static final Path JAR = Path.of("target/tributary-edge-agent.jar");

    @Test
    void shouldInstallIntoAPrefixWithAUsableCdsArchiveAndUninstall() throws Exception {
        Result install = run("./install.sh", "--prefix", prefix.toString(), "--no-systemd", "--jar", JAR.toString());
        assertThat(install.exit).as(install.output).isZero();

        Path opt = prefix.resolve("opt/tributary-agent");
        assertThat(opt.resolve("tributary-edge-agent.jar")).exists();
        assertThat(opt.resolve("agent.jsa")).isNotEmptyFile();
        // the archive covers the running agent (sampling, Paho's connected threads, the PUBACK path), not only start-up
        assertThat(Files.readAllLines(opt.resolve("agent.classlist"))).contains("io/tributary/agent/Agent",
                "org/eclipse/paho/mqttv5/client/internal/CommsReceiver", "io/tributary/mqtt/PahoQos1$1");
        assertThat(prefix.resolve("etc/tributary/agent.yaml")).content().contains(prefix.resolve("var/lib").toString());
        assertThat(prefix.resolve("var/lib/tributary-agent")).isDirectory();
        String unit = Files.readString(prefix.resolve("etc/systemd/system/tributary-agent.service"));
        assertThat(unit).contains("User=tributary-agent", "-XX:+UseSerialGC", "-Xmx16m", "-Xmn1m",
                "-XX:TieredStopAtLevel=1",
                "-XX:SharedArchiveFile=" + opt.resolve("agent.jsa"), "RestartPreventExitStatus=2",
                "--config " + prefix.resolve("etc/tributary/agent.yaml"));

        // the installed flags with -Xshare:on fail unless the archive maps for this JVM and jar
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(Files.readAllLines(opt.resolve("jvm.options")));
        cmd.addAll(List.of("-Xshare:on", "-jar", opt.resolve("tributary-edge-agent.jar").toString(), "--config",
                prefix.resolve("etc/tributary/agent.yaml").toString(), "--check-config"));
        Result check = run(cmd.toArray(String[]::new));
        assertThat(check.exit).as(check.output).isZero();
        assertThat(check.output).contains("config is valid");

        // the training run itself: the real agent against the loopback peer, up to its first acknowledged batch
        Result training = run("java", "-jar", opt.resolve("tributary-edge-agent.jar").toString(), "--config",
                prefix.resolve("etc/tributary/agent.yaml").toString(), "--cds-training");
        assertThat(training.exit).as(training.output).isZero();
        assertThat(training.output).contains("First batch acknowledged", "Agent stopped");

        Files.writeString(prefix.resolve("etc/tributary/agent.secret"), "kept");
        Result again = run("./install.sh", "--prefix", prefix.toString(), "--no-systemd", "--jar", JAR.toString());
        assertThat(again.exit).as(again.output).isZero();
        assertThat(prefix.resolve("etc/tributary/agent.secret")).as("a reinstall keeps the secret").hasContent("kept");

        Result uninstall = run("./install.sh", "--prefix", prefix.toString(), "--no-systemd", "--uninstall");
        assertThat(uninstall.exit).as(uninstall.output).isZero();
        assertThat(opt).doesNotExist();
        assertThat(prefix.resolve("etc/systemd/system/tributary-agent.service")).doesNotExist();
        assertThat(prefix.resolve("etc/tributary/agent.yaml")).as("config kept without --purge").exists();

        Result purge = run("./install.sh", "--prefix", prefix.toString(), "--no-systemd", "--uninstall", "--purge");
        assertThat(purge.exit).as(purge.output).isZero();
        assertThat(prefix.resolve("etc/tributary/agent.yaml")).doesNotExist();
        assertThat(prefix.resolve("var/lib/tributary-agent")).doesNotExist();
    }

    @Test
    void shouldInstallTheConfigAndTheSecretReadableByOwnerAndGroupOnly() throws Exception {
        Path config = prefix.resolve("my-agent.yaml");
        Path secret = prefix.resolve("my.secret");
        Files.writeString(secret, "t0p-s3cret\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(config, Files.readString(Path.of("agent.example.yaml"))
                .replace("/etc/tributary/agent.secret", prefix.resolve("p/etc/tributary/agent.secret").toString())
                .replace("/var/lib/tributary-agent", prefix.resolve("p/var/lib/tributary-agent").toString()));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

        Result install = run("./install.sh", "--prefix", prefix.resolve("p").toString(), "--no-systemd", "--jar",
                JAR.toString(), "--config", config.toString(), "--password-file", secret.toString());
        assertThat(install.exit).as(install.output).isZero();

        Path etc = prefix.resolve("p/etc/tributary");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(etc.resolve("agent.yaml"))))
                .as("a config may hold a password").isEqualTo("rw-r-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(etc.resolve("agent.secret"))))
                .isEqualTo("rw-r-----");
        assertThat(etc.resolve("agent.secret")).hasContent("t0p-s3cret\n");
        String unit = Files.readString(prefix.resolve("p/etc/systemd/system/tributary-agent.service"));
        assertThat(unit).doesNotContain("t0p-s3cret").doesNotContain("--password");
        assertThat(install.output).doesNotContain("t0p-s3cret");

        // a file a reinstall keeps is put back to 0640 too (an older install left the config world-readable)
        Files.setPosixFilePermissions(etc.resolve("agent.secret"), PosixFilePermissions.fromString("rw-r--r--"));
        Result again = run("./install.sh", "--prefix", prefix.resolve("p").toString(), "--no-systemd", "--jar",
                JAR.toString());
        assertThat(again.exit).as(again.output).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(etc.resolve("agent.secret"))))
                .isEqualTo("rw-r-----");

        Result refused = run("./install.sh", "--prefix", prefix.resolve("q").toString(), "--no-systemd",
                "--password", "t0p-s3cret");
        assertThat(refused.exit).isNotZero();
        assertThat(refused.output).contains("--password-file FILE");
    }

    @Test
    void shouldRefuseABadConfigNamingTheKey() throws Exception {
        Path bad = Files.writeString(prefix.resolve("bad.yaml"), "device: {id: x}\nsensors:\n  - {name: a, type: nope}\n");
        Result install = run("./install.sh", "--prefix", prefix.resolve("p").toString(), "--no-systemd", "--jar",
                JAR.toString(), "--config", bad.toString());
        assertThat(install.exit).isNotZero();
        assertThat(install.output).contains("sensors[0].type", "unknown type 'nope'");
        assertThat(prefix.resolve("p/etc/systemd/system/tributary-agent.service")).doesNotExist();
    }

    @Test
    void shouldRefuseUnknownOptions() throws Exception {
        Result r = run("./install.sh", "--frobnicate");
        assertThat(r.exit).isNotZero();
        assertThat(r.output).contains("unknown option '--frobnicate'");
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
