package io.tributary.gateway.mqtt;

import io.tributary.gateway.DeviceLimits;
import io.tributary.gateway.GatewayConfig;
import java.time.Duration;

/**
 * What the MQTT side needs from the configuration.
 *
 * @param host interface to bind
 * @param port port to bind; 0 picks one free port shared by all verticle instances
 * @param maxPayloadBytes largest payload accepted
 * @param maxInFlightPerConnection unacknowledged QoS 1 publishes per connection (MQTT 5 Receive Maximum)
 * @param connectTimeout time a new connection has to send CONNECT
 * @param telemetryTopic Kafka topic for telemetry
 * @param deadLetterTopic Kafka topic for rejected payloads
 * @param deviceStatusTopic Kafka topic for status messages
 * @param statusEvents whether the gateway writes connect/disconnect events to {@code deviceStatusTopic}
 * @param gatewayId names this gateway instance in status events
 * @param limits per-device fairness: publish quota, pending CONNECTs, unread answers
 */
public record MqttSettings(String host, int port, int maxPayloadBytes, int maxInFlightPerConnection,
        Duration connectTimeout, String telemetryTopic, String deadLetterTopic, String deviceStatusTopic,
        boolean statusEvents, String gatewayId, DeviceLimits limits) {

    public MqttSettings {
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null (DeviceLimits.DEFAULTS for the defaults)");
        }
    }

    /** Settings with the default {@link DeviceLimits}. */
    public MqttSettings(String host, int port, int maxPayloadBytes, int maxInFlightPerConnection,
            Duration connectTimeout, String telemetryTopic, String deadLetterTopic, String deviceStatusTopic,
            boolean statusEvents, String gatewayId) {
        this(host, port, maxPayloadBytes, maxInFlightPerConnection, connectTimeout, telemetryTopic, deadLetterTopic,
                deviceStatusTopic, statusEvents, gatewayId, DeviceLimits.DEFAULTS);
    }

    /** These settings with {@code value} as limits. */
    public MqttSettings withLimits(DeviceLimits value) {
        return new MqttSettings(host, port, maxPayloadBytes, maxInFlightPerConnection, connectTimeout, telemetryTopic,
                deadLetterTopic, deviceStatusTopic, statusEvents, gatewayId, value);
    }

    /** Settings without status events. */
    public MqttSettings(String host, int port, int maxPayloadBytes, int maxInFlightPerConnection,
            Duration connectTimeout, String telemetryTopic, String deadLetterTopic, String deviceStatusTopic) {
        this(host, port, maxPayloadBytes, maxInFlightPerConnection, connectTimeout, telemetryTopic, deadLetterTopic,
                deviceStatusTopic, false, "gateway");
    }

    /**
     * Room above {@link #maxPayloadBytes} for the rest of a PUBLISH (topic, packet id, properties). Packets larger
     * than payload limit plus this are cut off while decoding: MQTT 5 DISCONNECT 0x95, MQTT 3.1.1 close.
     */
    public static final int PACKET_HEADROOM_BYTES = 4096;

    /** The settings of {@code config}, with status events naming {@code gatewayId}. */
    public static MqttSettings from(GatewayConfig config, String gatewayId) {
        return new MqttSettings(config.mqttHost(), config.mqttPort(), config.maxPayloadBytes(),
                config.maxInFlightPerConnection(), config.connectTimeout(), config.telemetryTopic(),
                config.deadLetterTopic(), config.deviceStatusTopic(), true, gatewayId, config.deviceLimits());
    }

    /**
     * The largest MQTT packet remaining length accepted, announced to MQTT 5 clients as Maximum Packet Size (the
     * remaining length never exceeds the packet size, so the announcement is conservative).
     */
    public int maxPacketBytes() {
        return maxPayloadBytes + PACKET_HEADROOM_BYTES;
    }
}
