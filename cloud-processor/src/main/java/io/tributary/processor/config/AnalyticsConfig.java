package io.tributary.processor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the Kafka Streams part (rollups, alert engine), the rollups/alerts writers, notifications and the
 * operations endpoint. Validated here; a bad value fails with a message naming the config key.
 *
 * @param enabled whether {@code Processor} runs Streams and the rollups/alerts writers at all
 * @param applicationId the Streams {@code application.id}: instances with the same id share the partitions; null =
 *        the writer's consumer group + {@code -streams}
 * @param stateDir the Streams state directory; null = a fresh temp directory per instance (state is restored from the
 *        changelogs at start; fine for tests and small fleets, slower restarts for big ones)
 * @param rollupGrace how long after its end a window takes late readings
 * @param punctuateInterval how often (wall clock) closed windows are emitted and silent devices checked
 * @param commitInterval the Streams commit interval (EOS: results become visible to readers at commit)
 * @param alertRulesFile the YAML rules file; null = no rules
 * @param webhookUrl where alert transitions are POSTed as JSON; null = no webhook
 * @param webhookGroup the Kafka consumer group of the webhook notifier; null = the writer's group + {@code -webhook}
 * @param httpPort port of the {@code /metrics}, {@code /health/live}, {@code /health/ready} endpoint; -1 = off, 0 = any
 * @param influxGzip whether InfluxDB write requests are gzip-compressed (less network, more CPU: ~40 MB/s per core)
 * @param streamsCompression {@code compression.type} of the Streams producer (changelogs, rollups, alerts): one of
 *        {@link #COMPRESSION_TYPES}; {@code none} saves CPU on both ends where Kafka runs on the same machine
 * @param readingsWriters readings writer threads, each with its own Kafka consumer in the writer's group and its own
 *        InfluxDB connection; more than the telemetry topic's partitions leaves the extra ones idle
 * @param healthEnabled whether Streams tracks each device's delivery health ({@code device_health})
 * @param healthInterval how often the health of the devices that sent batches since is emitted
 */
public record AnalyticsConfig(
        boolean enabled,
        String applicationId,
        Path stateDir,
        List<Duration> rollupWindows,
        Duration rollupGrace,
        Duration punctuateInterval,
        Duration commitInterval,
        int streamThreads,
        Path alertRulesFile,
        Duration rulesCheckInterval,
        String webhookUrl,
        String webhookGroup,
        int httpPort,
        String httpHost,
        boolean influxGzip,
        String streamsCompression,
        int readingsWriters,
        boolean healthEnabled,
        Duration healthInterval) {

    /** The producer compression types Kafka knows. */
    public static final List<String> COMPRESSION_TYPES = List.of("none", "gzip", "snappy", "lz4", "zstd");

    /**
     * Two: a writer has one InfluxDB request in flight, so its ceiling is a poll's points per round trip. On the bench
     * box one writer stored about 83,000 readings/s: at 90,000 its lag grew for ten minutes while Kafka Streams kept
     * up and the two cores had 0.4 to spare.
     */
    public static final int DEFAULT_READINGS_WRITERS = 2;

    public AnalyticsConfig {
        if (applicationId != null && !applicationId.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("streams.application-id: letters, digits, '.', '_' and '-' only, got '"
                    + applicationId + "'");
        }
        rollupWindows = List.copyOf(Objects.requireNonNull(rollupWindows, "rollups.windows"));
        if (rollupWindows.isEmpty()) {
            throw new IllegalArgumentException("rollups.windows: at least one window size is required");
        }
        for (Duration w : rollupWindows) {
            if (w.toMillis() < 1) {
                throw new IllegalArgumentException("rollups.windows: each window must be at least 1ms, got " + w);
            }
        }
        // Sizes are whole milliseconds to Streams (and in the window tag): 1000 ms and 1.0004 s are the same window.
        if (rollupWindows.stream().map(Duration::toMillis).distinct().count() != rollupWindows.size()) {
            throw new IllegalArgumentException("rollups.windows: sizes must be distinct, got " + rollupWindows);
        }
        if (rollupGrace == null || rollupGrace.isNegative()) {
            throw new IllegalArgumentException("rollups.grace: must be zero or positive, got " + rollupGrace);
        }
        Require.schedulable(punctuateInterval, "rollups.punctuate-interval");
        Require.positive(commitInterval, "streams.commit-interval");
        Require.between(streamThreads, 1, 64, "streams.threads");
        Require.positive(rulesCheckInterval, "alerts.rules-check-interval");
        if (webhookUrl != null && webhookUrl.isBlank()) {
            webhookUrl = null;
        }
        if (webhookUrl != null) {
            Require.httpUrl(webhookUrl, "alerts.webhook-url");
        }
        if (webhookGroup != null && webhookGroup.isBlank()) {
            webhookGroup = null;
        }
        if (httpPort < -1 || httpPort > 65_535) {
            throw new IllegalArgumentException("http.port: must be -1 (off), 0 (any) or a port, got " + httpPort);
        }
        Require.nonBlank(httpHost, "http.host");
        if (!COMPRESSION_TYPES.contains(streamsCompression)) {
            throw new IllegalArgumentException("streams.compression: one of " + String.join(", ", COMPRESSION_TYPES)
                    + ", got '" + streamsCompression + "'");
        }
        Require.between(readingsWriters, 1, 64, "influx.writers");
        Require.schedulable(healthInterval, "health.interval");
    }

    /** Enabled; windows 10 s and 1 min, grace 30 s; no rules, no webhook, no HTTP endpoint; temp state dir. */
    public static AnalyticsConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Keeps the webhook URL (which often carries a secret) out of logs. */
    @Override
    public String toString() {
        return "AnalyticsConfig[enabled=" + enabled + ", applicationId=" + applicationId + ", stateDir=" + stateDir
                + ", rollupWindows=" + rollupWindows + ", rollupGrace=" + rollupGrace + ", punctuateInterval="
                + punctuateInterval + ", commitInterval=" + commitInterval + ", streamThreads=" + streamThreads
                + ", alertRulesFile=" + alertRulesFile + ", rulesCheckInterval=" + rulesCheckInterval
                + ", webhookUrl=" + (webhookUrl == null ? "(none)" : "(set)") + ", webhookGroup=" + webhookGroup
                + ", httpPort=" + httpPort + ", httpHost=" + httpHost + ", influxGzip=" + influxGzip
                + ", streamsCompression=" + streamsCompression + ", readingsWriters=" + readingsWriters
                + ", healthEnabled=" + healthEnabled + ", healthInterval=" + healthInterval + "]";
    }

    /** Collects the settings, from the defaults; {@link #build()} validates them through the canonical constructor. */
    public static final class Builder {
        private boolean enabled = true;
        private Path stateDir;
        private List<Duration> rollupWindows = List.of(Duration.ofSeconds(10), Duration.ofMinutes(1));
        private Duration rollupGrace = Duration.ofSeconds(30);
        private Duration punctuateInterval = Duration.ofMillis(500);
        private Path alertRulesFile;
        private Duration rulesCheckInterval = Duration.ofSeconds(2);
        private String webhookUrl;
        private String webhookGroup;
        private int httpPort = -1;
        private String httpHost = "0.0.0.0";
        private boolean influxGzip = true;
        private String streamsCompression = "lz4";
        private int readingsWriters = DEFAULT_READINGS_WRITERS;
        private boolean healthEnabled = true;
        private Duration healthInterval = Duration.ofSeconds(10);

        private Builder() {
        }

        public Builder enabled(boolean on) {
            this.enabled = on;
            return this;
        }

        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        public Builder rollups(List<Duration> windows, Duration grace) {
            this.rollupWindows = windows;
            this.rollupGrace = grace;
            return this;
        }

        public Builder punctuateInterval(Duration interval) {
            this.punctuateInterval = interval;
            return this;
        }

        public Builder alertRules(Path file, Duration checkInterval) {
            this.alertRulesFile = file;
            this.rulesCheckInterval = checkInterval;
            return this;
        }

        public Builder webhook(String url, String group) {
            this.webhookUrl = url;
            this.webhookGroup = group;
            return this;
        }

        public Builder http(String host, int port) {
            this.httpHost = host;
            this.httpPort = port;
            return this;
        }

        public Builder influxGzip(boolean gzip) {
            this.influxGzip = gzip;
            return this;
        }

        public Builder streamsCompression(String compression) {
            this.streamsCompression = compression;
            return this;
        }

        public Builder readingsWriters(int writers) {
            this.readingsWriters = writers;
            return this;
        }

        public Builder health(boolean on, Duration interval) {
            this.healthEnabled = on;
            this.healthInterval = interval;
            return this;
        }

        /** Application id, commit interval and Streams threads keep their defaults (the config file sets them). */
        public AnalyticsConfig build() {
            return new AnalyticsConfig(enabled, null, stateDir, rollupWindows, rollupGrace, punctuateInterval,
                    Duration.ofMillis(100), 1, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, httpPort,
                    httpHost, influxGzip, streamsCompression, readingsWriters, healthEnabled, healthInterval);
        }
    }
}
