package io.tributary.processor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ProcessorConfigFilesTest {

    static final String YAML = """
            kafka: {bootstrap: "k1:9092", topic-prefix: "p.", group: g, session-timeout: 10s}
            influx: {url: "http://influx:8086", bucket: b, max-points-per-write: 100}
            streams: {application-id: app, state-dir: /var/lib/x, threads: 2}
            rollups: {windows: [5s, 1m], grace: 10s}
            alerts: {rules-file: /etc/rules.yaml, webhook-url: "http://hook/x"}
            http: {port: 9464}
            """;

    @Test
    void shouldLayerDefaultsFileEnvironmentAndOptions() {
        ProcessorConfig c = ProcessorConfigFiles.load(YAML, "f.yaml",
                Map.of("TRIBUTARY_INFLUX_BUCKET", "from-env", "TRIBUTARY_HTTP_PORT", "9000",
                        "TRIBUTARY_TOPIC_PREFIX", "envp."),
                Map.of("http.port", "9100"));
        assertThat(c.kafkaBootstrapServers()).isEqualTo("k1:9092");
        assertThat(c.topicPrefix()).isEqualTo("envp.");
        assertThat(c.consumerGroup()).isEqualTo("g");
        assertThat(c.influxBucket()).isEqualTo("from-env");
        assertThat(c.influxOrg()).isEqualTo("tributary");
        assertThat(c.maxPointsPerWrite()).isEqualTo(100);
        assertThat(c.consumerOverrides()).containsEntry("session.timeout.ms", "10000");
        AnalyticsConfig a = c.analytics();
        assertThat(a.applicationId()).isEqualTo("app");
        assertThat(a.stateDir()).isEqualTo(Path.of("/var/lib/x"));
        assertThat(a.streamThreads()).isEqualTo(2);
        assertThat(a.rollupWindows()).containsExactly(Duration.ofSeconds(5), Duration.ofMinutes(1));
        assertThat(a.rollupGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(a.alertRulesFile()).isEqualTo(Path.of("/etc/rules.yaml"));
        assertThat(a.webhookUrl()).isEqualTo("http://hook/x");
        assertThat(a.httpPort()).isEqualTo(9100);
    }

    @Test
    void shouldUseDefaultsWithoutFileAndEnvironment() {
        ProcessorConfig c = ProcessorConfigFiles.load(null, "none", Map.of(), Map.of());
        assertThat(c.toBuilder().analytics(AnalyticsConfig.defaults()).build()).isEqualTo(ProcessorConfig.defaults());
        assertThat(c.analytics().rollupWindows()).isEqualTo(List.of(Duration.ofSeconds(10), Duration.ofMinutes(1)));
    }

    @Test
    void shouldRejectUnknownKeysAndBadValuesNamingKeyAndSource() {
        assertThatThrownBy(() -> ProcessorConfigFiles.load("influx: {urll: x}", "f.yaml", Map.of(), Map.of()))
                .hasMessageContaining("config file f.yaml: unknown key 'influx.urll'");
        assertThatThrownBy(() -> ProcessorConfigFiles.load("rollups: {grace: soon}", "f.yaml", Map.of(), Map.of()))
                .hasMessageContaining("rollups.grace").hasMessageContaining("config file f.yaml");
        assertThatThrownBy(() -> ProcessorConfigFiles.load(null, "f", Map.of("TRIBUTARY_STREAMS_THREADS", "many"),
                Map.of())).hasMessageContaining("streams.threads")
                .hasMessageContaining("environment variable TRIBUTARY_STREAMS_THREADS");
        assertThatThrownBy(() -> ProcessorConfigFiles.load(null, "f", Map.of("TRIBUTARY_STREAMS_THREADS", "0"),
                Map.of())).hasMessageContaining("streams.threads: must be between 1 and 64")
                .hasMessageContaining("TRIBUTARY_STREAMS_THREADS");
        assertThatThrownBy(() -> ProcessorConfigFiles.load(null, "f", Map.of(), Map.of("alerts.webhook-url", "ftp://x")))
                .hasMessageContaining("alerts.webhook-url");
        assertThatThrownBy(() -> ProcessorConfigFiles.load("kafka: [", "f.yaml", Map.of(), Map.of()))
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> ProcessorConfigFiles.load(null, "f", Map.of("TRIBUTARY_STREAMS_COMPRESSION", "lz5"),
                Map.of())).hasMessageContaining("streams.compression: one of none, gzip, snappy, lz4, zstd, got 'lz5'")
                .hasMessageContaining("TRIBUTARY_STREAMS_COMPRESSION");
        assertThatThrownBy(() -> ProcessorConfigFiles.load("influx: {writers: 0}", "f.yaml", Map.of(), Map.of()))
                .hasMessageContaining("influx.writers: must be between 1 and 64, got 0")
                .hasMessageContaining("f.yaml");
        assertThatThrownBy(() -> ProcessorConfigFiles.load(null, "f", Map.of("TRIBUTARY_INFLUX_WRITERS", "two"), Map.of()))
                .hasMessageContaining("influx.writers: 'two' is not an integer")
                .hasMessageContaining("TRIBUTARY_INFLUX_WRITERS");
    }

    @Test
    void shouldSetTheStreamsProducersCompression() {
        assertThat(ProcessorConfigFiles.load(null, "none", Map.of(), Map.of()).analytics().streamsCompression())
                .isEqualTo("lz4");
        assertThat(ProcessorConfigFiles.load("streams: {compression: zstd}", "f.yaml", Map.of(), Map.of()).analytics()
                .streamsCompression()).isEqualTo("zstd");
        assertThat(ProcessorConfigFiles.load(null, "f", Map.of("TRIBUTARY_STREAMS_COMPRESSION", "none"), Map.of())
                .analytics().streamsCompression()).isEqualTo("none");
    }

    @Test
    void shouldTurnDeviceHealthOffOrSetItsIntervalNamingTheKeyWhenBad() {
        AnalyticsConfig a = ProcessorConfigFiles.load("health: {enabled: false, interval: 30s}", "f.yaml", Map.of(),
                Map.of()).analytics();
        assertThat(a.healthEnabled()).isFalse();
        assertThat(a.healthInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ProcessorConfigFiles.load(null, "f", Map.of(), Map.of()).analytics().healthEnabled()).isTrue();
        assertThatThrownBy(() -> ProcessorConfigFiles.load(null, "f", Map.of("TRIBUTARY_HEALTH_INTERVAL", "0s"),
                Map.of())).hasMessageContaining("health.interval: must be a positive duration")
                .hasMessageContaining("TRIBUTARY_HEALTH_INTERVAL");
    }

    @Test
    void shouldSetTheNumberOfReadingsWriters() {
        assertThat(ProcessorConfigFiles.load(null, "none", Map.of(), Map.of()).analytics().readingsWriters()).isEqualTo(2);
        assertThat(ProcessorConfigFiles.load("influx: {writers: 3}", "f.yaml", Map.of(), Map.of()).analytics()
                .readingsWriters()).isEqualTo(3);
        assertThat(ProcessorConfigFiles.load("influx: {writers: 3}", "f.yaml", Map.of("TRIBUTARY_INFLUX_WRITERS", "1"),
                Map.of()).analytics().readingsWriters()).isEqualTo(1);
    }

    @Test
    void shouldTakeTheInputContractLimitsFromFileEnvironmentAndOptionsUnderTheGatewaysNames() {
        ProcessorConfig c = ProcessorConfigFiles.load("contract: {max-event-age: 7d, max-sensors-per-device: 50}\n", "f.yaml",
                Map.of("TRIBUTARY_MAX_EVENT_FUTURE", "10m", "TRIBUTARY_MAX_SENSORS_PER_DEVICE", "60"),
                Map.of("contract.max-readings-per-batch", "900"));
        assertThat(c.inputContract().maxEventAge()).isEqualTo(Duration.ofDays(7));
        assertThat(c.inputContract().maxEventFuture()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.inputContract().maxSensorsPerDevice()).isEqualTo(60);
        assertThat(c.inputContract().maxReadingsPerBatch()).isEqualTo(900);
        assertThat(ProcessorConfigFiles.load(null, "none", Map.of(), Map.of()).inputContract())
                .isEqualTo(io.tributary.contract.InputContract.DEFAULTS);
    }

    @Test
    void shouldTakeTheLabelsThatBecomeTagsFromFileAndEnvironmentAndDefaultToNone() {
        assertThat(ProcessorConfigFiles.load(null, "none", Map.of(), Map.of()).enrichmentTags()).isEmpty();
        assertThat(ProcessorConfigFiles.load("enrichment: {tags: [site, kind]}", "f.yaml", Map.of(), Map.of())
                .enrichmentTags()).containsExactly("site", "kind");
        assertThat(ProcessorConfigFiles.load("enrichment: {tags: [site, kind]}", "f.yaml",
                Map.of("TRIBUTARY_ENRICHMENT_TAGS", "line"), Map.of()).enrichmentTags()).containsExactly("line");
    }

    @Test
    void shouldRejectLabelTagsThatAreInvalidReservedRepeatedOrTooMany() {
        assertThatThrownBy(() -> ProcessorConfigFiles.load("enrichment: {tags: [Site]}", "f.yaml", Map.of(), Map.of()))
                .hasMessageContaining("enrichment.tags: label key 'Site'").hasMessageContaining("f.yaml");
        assertThatThrownBy(() -> ProcessorConfigFiles.load(null, "f", Map.of("TRIBUTARY_ENRICHMENT_TAGS", "sensor"),
                Map.of())).hasMessageContaining("'sensor' is reserved")
                .hasMessageContaining("TRIBUTARY_ENRICHMENT_TAGS");
        assertThatThrownBy(() -> ProcessorConfigFiles.load("enrichment: {tags: [site, site]}", "f.yaml", Map.of(),
                Map.of())).hasMessageContaining("distinct");
        assertThatThrownBy(() -> ProcessorConfigFiles.load("enrichment: {tags: [a, b, c, d, e, f, g, h, i]}", "f.yaml",
                Map.of(), Map.of())).hasMessageContaining("at most 8 labels");
    }

    @Test
    void shouldNameTheContractKeyAndItsSourceWhenALimitIsBad() {
        assertThatThrownBy(() -> ProcessorConfigFiles.load(null, "none", Map.of("TRIBUTARY_MAX_SENSORS_PER_DEVICE", "0"),
                Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contract.max-sensors-per-device")
                .hasMessageContaining("TRIBUTARY_MAX_SENSORS_PER_DEVICE");
    }
}
