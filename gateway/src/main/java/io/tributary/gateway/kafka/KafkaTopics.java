package io.tributary.gateway.kafka;

import java.util.List;
import java.util.Objects;

/**
 * The Kafka topics the gateway writes.
 *
 * @param telemetry telemetry batches as devices sent them
 * @param deadLetter refused payloads with the reason
 * @param deviceStatus status messages of devices and the gateway's connection events
 */
public record KafkaTopics(String telemetry, String deadLetter, String deviceStatus) {

    public KafkaTopics {
        Objects.requireNonNull(telemetry, "telemetry");
        Objects.requireNonNull(deadLetter, "deadLetter");
        Objects.requireNonNull(deviceStatus, "deviceStatus");
    }

    /** All of them, for metadata warm-up. */
    public List<String> all() {
        return List.of(telemetry, deadLetter, deviceStatus);
    }
}
