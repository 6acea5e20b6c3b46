package io.tributary.simulator;

import io.tributary.simulator.verify.InfluxTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where to find the stored readings (a picocli mixin of the simulator and its verify command). */
final class InfluxOptions {

    @Option(names = "--influx-url", defaultValue = "${env:TRIBUTARY_INFLUX_URL}",
            description = "InfluxDB to verify against (env TRIBUTARY_INFLUX_URL).")
    String url;

    @Option(names = "--influx-token", defaultValue = "${env:TRIBUTARY_INFLUX_TOKEN:-}",
            description = "InfluxDB token (env TRIBUTARY_INFLUX_TOKEN). Prefer --influx-token-file: a token on the "
                    + "command line is visible to every user in ps.")
    String token;

    @Option(names = "--influx-token-file", paramLabel = "FILE", defaultValue = "${env:TRIBUTARY_INFLUX_TOKEN_FILE}",
            description = "A file holding the InfluxDB token (env TRIBUTARY_INFLUX_TOKEN_FILE); wins over "
                    + "--influx-token.")
    Path tokenFile;

    @Option(names = "--influx-org", defaultValue = "${env:TRIBUTARY_INFLUX_ORG:-tributary}")
    String org;

    @Option(names = "--influx-bucket", defaultValue = "${env:TRIBUTARY_INFLUX_BUCKET:-telemetry}",
            description = "Bucket (InfluxDB 1.x: database) (default: ${DEFAULT-VALUE}).")
    String bucket;

    /** The target, or null without --influx-url. */
    InfluxTarget target() {
        if (url == null || url.isBlank()) {
            return null;
        }
        return new InfluxTarget(url, tokenFile != null ? readToken(tokenFile) : token, org, bucket);
    }

    private static String readToken(Path file) {
        try {
            if (Files.size(file) > 4096) {
                throw new IllegalArgumentException("--influx-token-file: " + file + " is larger than 4096 bytes");
            }
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("--influx-token-file: cannot read " + file + ": " + e, e);
        }
    }
}
