package io.tributary.simulator;

import io.tributary.simulator.verify.InfluxTarget;
import picocli.CommandLine.Option;

/** Where to find the stored readings (a picocli mixin of the simulator and its verify command). */
final class InfluxOptions {

    @Option(names = "--influx-url", defaultValue = "${env:TRIBUTARY_INFLUX_URL}",
            description = "InfluxDB to verify against (env TRIBUTARY_INFLUX_URL).")
    String url;

    @Option(names = "--influx-token", defaultValue = "${env:TRIBUTARY_INFLUX_TOKEN:-}")
    String token;

    @Option(names = "--influx-org", defaultValue = "${env:TRIBUTARY_INFLUX_ORG:-tributary}")
    String org;

    @Option(names = "--influx-bucket", defaultValue = "${env:TRIBUTARY_INFLUX_BUCKET:-telemetry}",
            description = "Bucket (InfluxDB 1.x: database) (default: ${DEFAULT-VALUE}).")
    String bucket;

    /** The target, or null without --influx-url. */
    InfluxTarget target() {
        return url == null || url.isBlank() ? null : new InfluxTarget(url, token, org, bucket);
    }
}
