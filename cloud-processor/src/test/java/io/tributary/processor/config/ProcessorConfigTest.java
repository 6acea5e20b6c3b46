package io.tributary.processor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ProcessorConfigTest {

    private final ProcessorConfig defaults = ProcessorConfig.defaults();

    @Test
    void shouldDeriveTopicsFromThePrefix() {
        assertThat(defaults.topics().telemetry()).isEqualTo("tributary.telemetry");
        assertThat(defaults.topics().deadLetter()).isEqualTo("tributary.deadletter");
        assertThat(defaults.toBuilder().topicPrefix("").build().topics().telemetry()).isEqualTo("telemetry");
        assertThat(defaults.consumerGroup()).isEqualTo("tributary-influx-writer");
        assertThat(defaults.maxPointsPerWrite()).isEqualTo(5_000);
        assertThat(defaults.retryBackoffInitial()).isEqualTo(Duration.ofMillis(100));
        assertThat(defaults.retryBackoffMax()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldRejectBadValuesNamingTheOption() {
        assertThatThrownBy(() -> defaults.toBuilder().kafkaBootstrapServers("localhost").build())
                .hasMessageStartingWith("kafka-bootstrap:");
        assertThatThrownBy(() -> defaults.toBuilder().kafkaBootstrapServers("a:9092,b:99999").build())
                .hasMessageStartingWith("kafka-bootstrap:");
        assertThatThrownBy(() -> defaults.toBuilder().topicPrefix("bad prefix").build()).hasMessageStartingWith("topic-prefix:");
        assertThatThrownBy(() -> defaults.toBuilder().consumerGroup(" ").build()).hasMessageStartingWith("group:");
        assertThatThrownBy(() -> defaults.toBuilder().influx("localhost:8086", "", "o", "b").build())
                .hasMessageStartingWith("influx-url:");
        assertThatThrownBy(() -> defaults.toBuilder().influx("ftp://h:1", "", "o", "b").build()).hasMessageStartingWith("influx-url:");
        assertThatThrownBy(() -> defaults.toBuilder().influx("http://h:1", "", "", "b").build()).hasMessageStartingWith("influx-org:");
        assertThatThrownBy(() -> defaults.toBuilder().influx("http://h:1", "", "o", "").build()).hasMessageStartingWith("influx-bucket:");
        assertThatThrownBy(() -> defaults.toBuilder().maxPointsPerWrite(0).build()).hasMessageStartingWith("max-points-per-write:");
        assertThatThrownBy(() -> defaults.toBuilder().retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
                .hasMessageStartingWith("retry-backoff-max:");
        assertThatThrownBy(() -> defaults.toBuilder().closeTimeout(Duration.ZERO).build()).hasMessageStartingWith("close-timeout:");
    }

    @Test
    void shouldAcceptValidAlternatives() {
        ProcessorConfig config = defaults.toBuilder().kafkaBootstrapServers("k1:9092, k2:9093")
                .influx("https://influx.example:8086/prefix", "tok", "-", "db/rp")
                .consumerOverrides(Map.of("max.poll.records", "100")).build();

        assertThat(config.influxBucket()).isEqualTo("db/rp");
        assertThat(config.consumerOverrides()).containsEntry("max.poll.records", "100");
    }

    @Test
    void shouldKeepTheTokenOutOfItsStringForm() {
        assertThat(defaults.toBuilder().influx("http://h:1", "s3cr3t", "o", "b").build().toString()).doesNotContain("s3cr3t")
                .contains("influxToken=(set)");
    }
}
