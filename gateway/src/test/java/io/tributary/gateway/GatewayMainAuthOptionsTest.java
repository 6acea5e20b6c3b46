package io.tributary.gateway;

import io.tributary.contract.registry.CredentialRules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.gateway.auth.AuthSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The authentication options (issue 17, deliverable 4): flags, YAML keys, environment precedence, validation. */
class GatewayMainAuthOptionsTest {

    private static GatewayMain parse(Map<String, String> env, String... args) {
        CommandLine commandLine = GatewayMain.commandLine(args, env::get);
        commandLine.parseArgs(args);
        GatewayMain main = commandLine.getCommand();
        if (main.yamlError != null) {
            throw new IllegalArgumentException(main.yamlError);
        }
        return main;
    }

    @Test
    void defaultsAreTheLibraryDefaults() {
        boolean anyOverride = System.getenv().keySet().stream()
                .anyMatch(k -> k.startsWith("TRIBUTARY_AUTH_") || k.startsWith("TRIBUTARY_REGISTRY_"));
        org.junit.jupiter.api.Assumptions.assumeFalse(anyOverride, "TRIBUTARY_AUTH_*/REGISTRY_* set here");

        assertThat(parse(Map.of()).toConfig().auth()).isEqualTo(AuthSettings.DEFAULTS);
        assertThat(GatewayConfig.defaults().auth()).isEqualTo(AuthSettings.DEFAULTS);
    }

    @Test
    void readsEveryOptionFromTheCommandLine() {
        AuthSettings auth = parse(Map.of(), "--auth-max-failures-per-address", "7", "--auth-max-failures-per-device",
                "4", "--auth-failure-window", "PT30S", "--auth-block-duration", "PT2M", "--auth-tracked-entries", "500",
                "--auth-threads", "2", "--auth-queue", "64", "--auth-queue-max-wait", "PT1S",
                "--registry-min-iterations", "1500", "--registry-max-iterations", "5000",
                "--registry-stall-timeout", "PT10S").toConfig().auth();

        assertThat(auth).isEqualTo(new AuthSettings(7, 4, Duration.ofSeconds(30), Duration.ofMinutes(2), 500, 2, 64,
                Duration.ofSeconds(1), 1500, 5000, Duration.ofSeconds(10)));
        assertThat(auth.effectiveDerivationThreads()).isEqualTo(2);
        assertThat(auth.credentialRules().maxIterations()).isEqualTo(5000);
    }

    @Test
    void readsThemFromYamlAndLetsTheEnvironmentOverrideTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("gateway.yaml"), String.join("\n",
                "auth-max-failures-per-address: 11",
                "auth-queue: 99",
                "registry-max-iterations: 30000",
                ""));

        AuthSettings fromFile = parse(Map.of(), "--config", file.toString()).toConfig().auth();
        AuthSettings envWins = parse(Map.of("TRIBUTARY_AUTH_QUEUE", "33"), "--config", file.toString()).toConfig()
                .auth();
        AuthSettings flagWins = parse(Map.of("TRIBUTARY_AUTH_QUEUE", "33"), "--config", file.toString(),
                "--auth-queue", "44").toConfig().auth();

        assertThat(fromFile.maxFailuresPerAddress()).isEqualTo(11);
        assertThat(fromFile.derivationQueue()).isEqualTo(99);
        assertThat(fromFile.maxIterations()).isEqualTo(30000);
        assertThat(envWins.derivationQueue()).isEqualTo(33);
        assertThat(flagWins.derivationQueue()).isEqualTo(44);
    }

    @Test
    void namesTheOptionOfABadValue() {
        assertThatThrownBy(() -> parse(Map.of(), "--auth-queue", "0").toConfig()).hasMessageContaining("--auth-queue");
        assertThatThrownBy(() -> parse(Map.of(), "--auth-max-failures-per-address", "0").toConfig())
                .hasMessageContaining("--auth-max-failures-per-address");
        assertThatThrownBy(() -> parse(Map.of(), "--registry-min-iterations", "5000", "--registry-max-iterations",
                "4000").toConfig()).hasMessageContaining("--registry-max-iterations");
        assertThatThrownBy(() -> parse(Map.of(), "--auth-block-duration", "PT0S").toConfig())
                .hasMessageContaining("--auth-block-duration");
        assertThatThrownBy(() -> parse(Map.of(), "--registry-stall-timeout", "PT0.5S").toConfig())
                .hasMessageContaining("--registry-stall-timeout");
        assertThatThrownBy(() -> parse(Map.of(), "--auth-threads", "-1").toConfig())
                .hasMessageContaining("--auth-threads");
    }

    @Test
    void theWithCopiesKeepTheAuthSettings() {
        AuthSettings custom = new AuthSettings(3, 10, Duration.ofMinutes(1), Duration.ofMinutes(5), 16_384, 0, 256,
                Duration.ofSeconds(2), CredentialRules.DEFAULT_MIN_ITERATIONS,
                CredentialRules.DEFAULT_MAX_ITERATIONS, Duration.ofSeconds(30));
        GatewayConfig config = GatewayConfig.builder().auth(custom).build();

        assertThat(config.toBuilder().mqttPort(0).maxConnections(5).pauseInFlightBytes(0).maxPayloadBytes(1000)
                .tls(TlsSettings.DISABLED).build().auth()).isEqualTo(custom);
    }
}
