package io.tributary.processor.config;

import java.net.URI;
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
 * @param rollupWindows the tumbling window sizes
 * @param rollupGrace how long after its end a window takes late readings
 * @param punctuateInterval how often (wall clock) closed windows are emitted and silent devices checked
 * @param commitInterval the Streams commit interval (EOS: results become visible to readers at commit)
 * @param streamThreads Streams threads in this instance
 * @param alertRulesFile the YAML rules file; null = no rules
 * @param rulesCheckInterval how often the rules file is checked for changes
 * @param webhookUrl where alert transitions are POSTed as JSON; null = no webhook
 * @param webhookGroup the Kafka consumer group of the webhook notifier; null = the writer's group + {@code -webhook}
 * @param httpPort port of the {@code /metrics}, {@code /health/live}, {@code /health/ready} endpoint; -1 = off, 0 = any
 * @param httpHost address the endpoint binds to
 * @param influxGzip whether InfluxDB write requests are gzip-compressed (less network, more CPU: ~40 MB/s per core)
 * @param streamsCompression {@code compression.type} of the Streams producer (changelogs, rollups, alerts): one of
 *        {@link #COMPRESSION_TYPES}; {@code none} saves CPU on both ends where Kafka runs on the same machine
 * @param readingsWriters readings writer threads, each with its own Kafka consumer in the writer's group and its own
 *        InfluxDB connection; more than the telemetry topic's partitions leaves the extra ones idle
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
        int readingsWriters) {

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
        if (rollupWindows.stream().distinct().count() != rollupWindows.size()) {
            throw new IllegalArgumentException("rollups.windows: sizes must be distinct, got " + rollupWindows);
        }
        if (rollupGrace == null || rollupGrace.isNegative()) {
            throw new IllegalArgumentException("rollups.grace: must be zero or positive, got " + rollupGrace);
        }
        requirePositive(punctuateInterval, "rollups.punctuate-interval");
        requirePositive(commitInterval, "streams.commit-interval");
        if (streamThreads < 1 || streamThreads > 64) {
            throw new IllegalArgumentException("streams.threads: must be between 1 and 64, got " + streamThreads);
        }
        requirePositive(rulesCheckInterval, "alerts.rules-check-interval");
        if (webhookUrl != null && webhookUrl.isBlank()) {
            webhookUrl = null;
        }
        if (webhookUrl != null) {
            URI uri;
            try {
                uri = URI.create(webhookUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("alerts.webhook-url: not a URL: '" + webhookUrl + "'", e);
            }
            if (uri.getScheme() == null || !uri.getScheme().matches("(?i)https?") || uri.getHost() == null) {
                throw new IllegalArgumentException("alerts.webhook-url: expected http(s)://host[:port]/path, got '"
                        + webhookUrl + "'");
            }
        }
        if (webhookGroup != null && webhookGroup.isBlank()) {
            webhookGroup = null;
        }
        if (httpPort < -1 || httpPort > 65_535) {
            throw new IllegalArgumentException("http.port: must be -1 (off), 0 (any) or a port, got " + httpPort);
        }
        if (httpHost == null || httpHost.isBlank()) {
            throw new IllegalArgumentException("http.host: must not be empty");
        }
        if (!COMPRESSION_TYPES.contains(streamsCompression)) {
            throw new IllegalArgumentException("streams.compression: one of " + String.join(", ", COMPRESSION_TYPES)
                    + ", got '" + streamsCompression + "'");
        }
        if (readingsWriters < 1 || readingsWriters > 64) {
            throw new IllegalArgumentException("influx.writers: must be between 1 and 64, got " + readingsWriters);
        }
    }

    /** Enabled; windows 10 s and 1 min, grace 30 s; no rules, no webhook, no HTTP endpoint; temp state dir. */
    public static AnalyticsConfig defaults() {
        return new AnalyticsConfig(true, null, null,
                List.of(Duration.ofSeconds(10), Duration.ofMinutes(1)), Duration.ofSeconds(30),
                Duration.ofMillis(500), Duration.ofMillis(100), 1, null, Duration.ofSeconds(2), null,
                null, -1, "0.0.0.0", true, "lz4", DEFAULT_READINGS_WRITERS);
    }

    public AnalyticsConfig withEnabled(boolean on) {
        return new AnalyticsConfig(on, applicationId, stateDir, rollupWindows, rollupGrace, punctuateInterval,
                commitInterval, streamThreads, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, httpPort,
                httpHost, influxGzip, streamsCompression, readingsWriters);
    }

    public AnalyticsConfig withApplicationId(String id) {
        return new AnalyticsConfig(enabled, id, stateDir, rollupWindows, rollupGrace, punctuateInterval,
                commitInterval, streamThreads, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, httpPort,
                httpHost, influxGzip, streamsCompression, readingsWriters);
    }

    public AnalyticsConfig withStateDir(Path dir) {
        return new AnalyticsConfig(enabled, applicationId, dir, rollupWindows, rollupGrace, punctuateInterval,
                commitInterval, streamThreads, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, httpPort,
                httpHost, influxGzip, streamsCompression, readingsWriters);
    }

    public AnalyticsConfig withRollups(List<Duration> windows, Duration grace) {
        return new AnalyticsConfig(enabled, applicationId, stateDir, windows, grace, punctuateInterval,
                commitInterval, streamThreads, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, httpPort,
                httpHost, influxGzip, streamsCompression, readingsWriters);
    }

    public AnalyticsConfig withPunctuateInterval(Duration interval) {
        return new AnalyticsConfig(enabled, applicationId, stateDir, rollupWindows, rollupGrace, interval,
                commitInterval, streamThreads, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, httpPort,
                httpHost, influxGzip, streamsCompression, readingsWriters);
    }

    public AnalyticsConfig withCommitInterval(Duration interval) {
        return new AnalyticsConfig(enabled, applicationId, stateDir, rollupWindows, rollupGrace, punctuateInterval,
                interval, streamThreads, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, httpPort,
                httpHost, influxGzip, streamsCompression, readingsWriters);
    }

    public AnalyticsConfig withStreamThreads(int threads) {
        return new AnalyticsConfig(enabled, applicationId, stateDir, rollupWindows, rollupGrace, punctuateInterval,
                commitInterval, threads, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, httpPort,
                httpHost, influxGzip, streamsCompression, readingsWriters);
    }

    public AnalyticsConfig withAlertRules(Path file, Duration checkInterval) {
        return new AnalyticsConfig(enabled, applicationId, stateDir, rollupWindows, rollupGrace, punctuateInterval,
                commitInterval, streamThreads, file, checkInterval, webhookUrl, webhookGroup, httpPort, httpHost,
                influxGzip, streamsCompression, readingsWriters);
    }

    public AnalyticsConfig withWebhook(String url, String group) {
        return new AnalyticsConfig(enabled, applicationId, stateDir, rollupWindows, rollupGrace, punctuateInterval,
                commitInterval, streamThreads, alertRulesFile, rulesCheckInterval, url, group, httpPort, httpHost,
                influxGzip, streamsCompression, readingsWriters);
    }

    public AnalyticsConfig withHttp(String host, int port) {
        return new AnalyticsConfig(enabled, applicationId, stateDir, rollupWindows, rollupGrace, punctuateInterval,
                commitInterval, streamThreads, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, port,
                host, influxGzip, streamsCompression, readingsWriters);
    }

    public AnalyticsConfig withInfluxGzip(boolean gzip) {
        return new AnalyticsConfig(enabled, applicationId, stateDir, rollupWindows, rollupGrace, punctuateInterval,
                commitInterval, streamThreads, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, httpPort,
                httpHost, gzip, streamsCompression, readingsWriters);
    }

    public AnalyticsConfig withStreamsCompression(String compression) {
        return new AnalyticsConfig(enabled, applicationId, stateDir, rollupWindows, rollupGrace, punctuateInterval,
                commitInterval, streamThreads, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, httpPort,
                httpHost, influxGzip, compression, readingsWriters);
    }

    public AnalyticsConfig withReadingsWriters(int writers) {
        return new AnalyticsConfig(enabled, applicationId, stateDir, rollupWindows, rollupGrace, punctuateInterval,
                commitInterval, streamThreads, alertRulesFile, rulesCheckInterval, webhookUrl, webhookGroup, httpPort,
                httpHost, influxGzip, streamsCompression, writers);
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
                + ", streamsCompression=" + streamsCompression + ", readingsWriters=" + readingsWriters + "]";
    }

    private static void requirePositive(Duration value, String key) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + ": must be a positive duration, got " + value);
        }
    }
}
