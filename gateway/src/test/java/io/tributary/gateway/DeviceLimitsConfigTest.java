package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The per-device fairness options: record validation, command line, environment and YAML. */
class DeviceLimitsConfigTest {

    @Test
    void theLibraryAndTheCommandLineShareTheDefaults() {
        GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs();

        assertThat(GatewayConfig.defaults().deviceLimits()).isEqualTo(DeviceLimits.DEFAULTS);
        if (System.getenv().keySet().stream().noneMatch(k -> k.startsWith("TRIBUTARY_DEVICE_")
                || k.equals("TRIBUTARY_MAX_PENDING_CONNECTS") || k.equals("TRIBUTARY_MAX_UNREAD_BYTES_PER_CONNECTION"))) {
            assertThat(main.toConfig().deviceLimits()).isEqualTo(DeviceLimits.DEFAULTS);
        }
    }

    @Test
    void witherCopiesKeepTheLimits() {
        DeviceLimits limits = new DeviceLimits(5, 10, 2L * 1024 * 1024, 8L * 1024 * 1024, 7, 256 * 1024, 64);
        GatewayConfig config = GatewayConfig.builder().deviceLimits(limits).build();

        assertThat(config.toBuilder().mqttPort(0).maxConnections(3).maxInFlightBytes(1L << 30).tls(
                TlsSettings.DISABLED).build().deviceLimits()).isEqualTo(limits);
    }

    @Test
    void readsTheOptionsFromTheCommandLineTheEnvironmentAndYaml(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("gateway.yaml"), String.join("\n",
                "device-publish-rate: 50", "device-publish-burst: 100", "device-byte-rate: 1000", "max-pending-connects: 30",
                "max-pending-connects-per-address: 9", ""));
        // the environment overrides the file, the command line both
        Map<String, String> env = Map.of("TRIBUTARY_DEVICE_BYTE_RATE", "4096",
                "TRIBUTARY_MAX_PENDING_CONNECTS", "40");

        DeviceLimits limits = parse(env, "--config", file.toString(), "--device-byte-burst", "300000",
                "--max-unread-bytes-per-connection", "65536").deviceLimits();

        assertThat(limits).isEqualTo(new DeviceLimits(50, 100, 4096, 300_000, 40, 65_536, 9));
    }

    @Test
    void rejectsBadValuesNamingTheOption() {
        assertRejected(() -> new DeviceLimits(-1, 10, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, 256 * 1024, 64),
                "--device-publish-rate");
        assertRejected(() -> new DeviceLimits(Double.NaN, 10, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, 256 * 1024,
                64), "--device-publish-rate");
        assertRejected(() -> new DeviceLimits(10, 0, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, 256 * 1024, 64),
                "--device-publish-burst");
        assertRejected(() -> new DeviceLimits(1000, 2000, -1, 10, 1000, 256 * 1024, 64), "--device-byte-rate");
        assertRejected(() -> new DeviceLimits(1000, 2000, 2L * 1024 * 1024, 8L * 1024 * 1024, 0, 256 * 1024, 64),
                "--max-pending-connects");
        assertRejected(() -> new DeviceLimits(1000, 2000, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, 256 * 1024, 0),
                "--max-pending-connects-per-address");
        assertRejected(() -> new DeviceLimits(1000, 2000, 2L * 1024 * 1024, 8L * 1024 * 1024, 1000, 100, 64),
                "--max-unread-bytes-per-connection");
        // a byte burst below the payload limit would refuse every payload of the largest accepted size
        assertRejected(() -> GatewayConfig.builder().deviceLimits(new DeviceLimits(1000, 2000, 1000, 1000, 1000,
                256 * 1024, 64)).build(), "--device-byte-burst");
        assertThat(GatewayConfig.builder().deviceLimits(new DeviceLimits(1000, 2000, 0, 1, 1000, 256 * 1024,
                64)).build()
                .deviceLimits().publishQuotaEnabled()).as("off: no burst needed").isTrue();
        assertThatThrownBy(() -> parse(Map.of(), "--device-publish-burst", "0").deviceLimits())
                .hasMessageContaining("--device-publish-burst");
    }

    private static GatewayConfig parse(Map<String, String> env, String... args) {
        CommandLine commandLine = GatewayMain.commandLine(args, env::get);
        GatewayMain main = commandLine.getCommand();
        commandLine.parseArgs(args);
        if (main.yamlError != null) {
            throw new IllegalArgumentException(main.yamlError);
        }
        return main.toConfig();
    }

    private static void assertRejected(Runnable build, String option) {
        assertThatThrownBy(build::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(option);
    }
}
