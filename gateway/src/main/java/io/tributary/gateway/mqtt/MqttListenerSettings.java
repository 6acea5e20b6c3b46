package io.tributary.gateway.mqtt;

import io.tributary.gateway.Checks;
import io.tributary.gateway.DeviceLimits;
import io.tributary.gateway.GatewayConfig;
import java.time.Duration;

/**
 * What the gateway's MQTT listener needs from the configuration.
 *
 * @param port 0 picks one free port shared by all verticle instances
 * @param gatewayId names this gateway instance in status events
 */
public record MqttListenerSettings(String host, int port, int maxPayloadBytes, int maxInFlightPerConnection,
        Duration connectTimeout, boolean statusEvents, String gatewayId, DeviceLimits limits) {

    /** Room above the payload for the rest of a PUBLISH; larger packets are cut off while decoding. */
    public static final int PACKET_HEADROOM_BYTES = 4096;

    public MqttListenerSettings {
        Checks.present(limits, "limits (DeviceLimits.DEFAULTS for the defaults)");
    }

    public static MqttListenerSettings from(GatewayConfig config, String gatewayId) {
        return new MqttListenerSettings(config.mqttHost(), config.mqttPort(), config.maxPayloadBytes(),
                config.maxInFlightPerConnection(), config.connectTimeout(), true, gatewayId, config.deviceLimits());
    }

    /** The largest remaining length accepted, announced to MQTT 5 clients as Maximum Packet Size (conservative). */
    public int maxPacketBytes() {
        return maxPayloadBytes + PACKET_HEADROOM_BYTES;
    }
}
