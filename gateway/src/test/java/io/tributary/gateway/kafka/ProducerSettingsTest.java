package io.tributary.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.GatewayConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class ProducerSettingsTest {

    @Test
    void carriesTheDeliveryGuarantee() {
        Map<String, Object> props = ProducerSettings.from(GatewayConfig.builder()
                .kafkaProperties(Map.of("security.protocol", "SSL")).build());

        assertThat(props).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd")
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 2)
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000L)
                .containsEntry("security.protocol", "SSL");
        // ProducerConfig validates the combination as KafkaProducer would.
        new ProducerConfig(props);
    }

    @Test
    void keepsTheBufferWellAboveTheInFlightLimit() {
        GatewayConfig config = GatewayConfig.builder().maxInFlightBytes(100L * 1024 * 1024).build();

        Map<String, Object> props = ProducerSettings.from(config);

        assertThat((Long) props.get(ProducerConfig.BUFFER_MEMORY_CONFIG)).isEqualTo(200L * 1024 * 1024);
    }

    @Test
    void keepsRequestTimeoutInsideAShortDeliveryTimeout() {
        Map<String, Object> props = ProducerSettings.from(GatewayConfig.builder()
                .kafkaDeliveryTimeout(Duration.ofSeconds(2)).build());

        new ProducerConfig(props);
        // delivery.timeout.ms >= linger.ms + request.timeout.ms, or the producer refuses to start
        assertThat((Integer) props.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)).isLessThanOrEqualTo(2000 - 2);
    }
}
