package io.tributary.processor.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.processor.config.AnalyticsConfig;
import io.tributary.processor.config.ProcessorConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class KafkaClientPropertiesTest {

    @Test
    void fetchesWaitForABatchOrATimeoutByDefault() {
        Properties props = KafkaClientProperties.consumer(config(Map.of()), "group");

        assertThat(props).containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536")
                .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    }

    @Test
    void anOperatorMayTuneFetchingButNotTheSettingsTheGuaranteesRestOn() {
        Properties props = KafkaClientProperties.consumer(config(Map.of(
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted")), "group");

        assertThat(props).containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1")
                .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }

    @Test
    void theStreamsProducerCompressesAsConfigured() {
        String key = org.apache.kafka.streams.StreamsConfig.producerPrefix(
                org.apache.kafka.clients.producer.ProducerConfig.COMPRESSION_TYPE_CONFIG);

        assertThat(KafkaClientProperties.streamsOverrides(config(Map.of()))).containsEntry(key, "lz4");
        ProcessorConfig none = config(Map.of()).toBuilder()
                .analytics(AnalyticsConfig.builder().streamsCompression("none").build()).build();
        assertThat(KafkaClientProperties.streamsOverrides(none)).containsEntry(key, "none");
    }

    @Test
    void theClientPropertiesReachEveryClientUnderTheProcessorsOwnSettings() {
        ProcessorConfig config = config(Map.of()).toBuilder().kafkaProperties(Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "group.id", "other", "acks", "0", "enable.auto.commit", "true"))
                .build();

        Properties consumer = KafkaClientProperties.consumer(config, "group");
        Properties producer = KafkaClientProperties.producer(config, "dl");

        for (Properties props : java.util.List.of(consumer, producer)) {
            assertThat(props).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism",
                    "SCRAM-SHA-512").containsEntry("bootstrap.servers", "localhost:9092");
        }
        assertThat(consumer).containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "group")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        assertThat(producer).containsEntry("acks", "all");
    }

    private static ProcessorConfig config(Map<String, String> consumerOverrides) {
        return ProcessorConfig.builder().kafkaBootstrapServers("localhost:9092")
                .topicPrefix("t.").consumerGroup("group")
                .influx("http://localhost:8086", "", "org", "bucket").maxPointsPerWrite(5000)
                .pollTimeout(ProcessorConfig.DEFAULT_POLL_TIMEOUT)
                .retryBackoff(ProcessorConfig.DEFAULT_RETRY_BACKOFF_INITIAL, Duration.ofSeconds(10))
                .influxRequestTimeout(Duration.ofSeconds(10)).closeTimeout(Duration.ofSeconds(10))
                .consumerOverrides(consumerOverrides).build();
    }
}
