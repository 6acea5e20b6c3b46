package io.tributary.gateway;

import java.util.HashMap;
import java.util.Map;

/** The properties of the gateway's Kafka clients besides the producer: the registry consumer and the health check. */
final class KafkaClientProperties {

    private KafkaClientProperties() {
    }

    /** {@link GatewayConfig#kafkaProperties()} (e.g. security settings) plus {@code bootstrap.servers}; a new map. */
    static Map<String, Object> of(GatewayConfig config) {
        Map<String, Object> kafka = new HashMap<>(config.kafkaProperties());
        kafka.put("bootstrap.servers", config.kafkaBootstrapServers());
        return kafka;
    }
}
