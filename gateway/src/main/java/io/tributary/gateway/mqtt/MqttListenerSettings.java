package io.tributary.gateway.mqtt;

import io.tributary.gateway.DeviceLimits;
import io.tributary.gateway.GatewayConfig;
import java.time.Duration;

/**
 * What the gateway's MQTT listener needs from the configuration.
 *
 * @param host interface to bind
 * @param port port to bind; 0 picks one free port shared by all verticle instances
 * @param maxPayloadBytes largest payload accepted
 * @param maxInFlightPerConnection unacknowledged QoS 1 publishes per connection (MQTT 5 Receive Maximum)
 * @param connectTimeout time a new connection has to send CONNECT
 * @param statusEvents whether the gateway reports connect/disconnect events of its devices
 * @param gatewayId names this gateway instance in status events
 * @param limits per-device fairness: publish quota, pending CONNECTs, unread answers
 */
public record MqttListenerSettings(String host, int port, int maxPayloadBytes, int maxInFlightPerConnection,
        Duration connectTimeout, boolean statusEvents, String gatewayId, DeviceLimits limits) {

    /**
     * Room above {@link #maxPayloadBytes} for the rest of a PUBLISH (topic, packet id, properties). Packets larger
     * than payload limit plus this are cut off while decoding: MQTT 5 DISCONNECT 0x95, MQTT 3.1.1 close.
     */
    public static final int PACKET_HEADROOM_BYTES = 4096;

    public MqttListenerSettings {
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null (DeviceLimits.DEFAULTS for the defaults)");
        }
    }

    public MqttListenerSettings(String host, int port, int maxPayloadBytes, int maxInFlightPerConnection,
            Duration connectTimeout) {
        this(host, port, maxPayloadBytes, maxInFlightPerConnection, connectTimeout, false, "gateway",
                DeviceLimits.DEFAULTS);
    }

    public MqttListenerSettings withLimits(DeviceLimits value) {
        return new MqttListenerSettings(host, port, maxPayloadBytes, maxInFlightPerConnection, connectTimeout,
                statusEvents, gatewayId, value);
    }

    public static MqttListenerSettings from(GatewayConfig config, String gatewayId) {
        return new MqttListenerSettings(config.mqttHost(), config.mqttPort(), config.maxPayloadBytes(),
                config.maxInFlightPerConnection(), config.connectTimeout(), true, gatewayId, config.deviceLimits());
    }

    /**
     * The largest MQTT packet remaining length accepted, announced to MQTT 5 clients as Maximum Packet Size (the
     * remaining length never exceeds the packet size, so the announcement is conservative).
     */
    public int maxPacketBytes() {
        return maxPayloadBytes + PACKET_HEADROOM_BYTES;
    }
}
