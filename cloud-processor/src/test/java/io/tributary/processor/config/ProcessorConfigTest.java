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
        assertThat(defaults.telemetryTopic()).isEqualTo("tributary.telemetry");
        assertThat(defaults.deadLetterTopic()).isEqualTo("tributary.deadletter");
        assertThat(defaults.withTopicPrefix("").telemetryTopic()).isEqualTo("telemetry");
        assertThat(defaults.consumerGroup()).isEqualTo("tributary-influx-writer");
        assertThat(defaults.maxPointsPerWrite()).isEqualTo(5_000);
        assertThat(defaults.retryBackoffInitial()).isEqualTo(Duration.ofMillis(100));
        assertThat(defaults.retryBackoffMax()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldRejectBadValuesNamingTheOption() {
        assertThatThrownBy(() -> defaults.withKafkaBootstrapServers("localhost"))
                .hasMessageStartingWith("kafka-bootstrap:");
        assertThatThrownBy(() -> defaults.withKafkaBootstrapServers("a:9092,b:99999"))
                .hasMessageStartingWith("kafka-bootstrap:");
        assertThatThrownBy(() -> defaults.withTopicPrefix("bad prefix")).hasMessageStartingWith("topic-prefix:");
        assertThatThrownBy(() -> defaults.withConsumerGroup(" ")).hasMessageStartingWith("group:");
        assertThatThrownBy(() -> defaults.withInflux("localhost:8086", "", "o", "b"))
                .hasMessageStartingWith("influx-url:");
        assertThatThrownBy(() -> defaults.withInflux("ftp://h:1", "", "o", "b")).hasMessageStartingWith("influx-url:");
        assertThatThrownBy(() -> defaults.withInflux("http://h:1", "", "", "b")).hasMessageStartingWith("influx-org:");
        assertThatThrownBy(() -> defaults.withInflux("http://h:1", "", "o", "")).hasMessageStartingWith("influx-bucket:");
        assertThatThrownBy(() -> defaults.withMaxPointsPerWrite(0)).hasMessageStartingWith("max-points-per-write:");
        assertThatThrownBy(() -> defaults.withRetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageStartingWith("retry-backoff-max:");
        assertThatThrownBy(() -> defaults.withCloseTimeout(Duration.ZERO)).hasMessageStartingWith("close-timeout:");
    }

    @Test
    void shouldAcceptValidAlternatives() {
        ProcessorConfig config = defaults.withKafkaBootstrapServers("k1:9092, k2:9093")
                .withInflux("https://influx.example:8086/prefix", "tok", "-", "db/rp")
                .withConsumerOverrides(Map.of("max.poll.records", "100"));

        assertThat(config.influxBucket()).isEqualTo("db/rp");
        assertThat(config.consumerOverrides()).containsEntry("max.poll.records", "100");
    }

    @Test
    void shouldKeepTheTokenOutOfItsStringForm() {
        assertThat(defaults.withInflux("http://h:1", "s3cr3t", "o", "b").toString()).doesNotContain("s3cr3t")
                .contains("influxToken=(set)");
    }
}
