package io.tributary.gateway.outbound;

import io.tributary.contract.ContractRule;
import io.tributary.gateway.RejectReason;
import java.time.Instant;
import java.util.Objects;

/**
 * One thing the gateway hands to its {@link TelemetrySink}, always about one device (its id is the record's key, so
 * a device's records stay in order). The adapter decides topics, headers and encoding.
 */
public sealed interface OutboundRecord {

    String deviceId();

    record Telemetry(String deviceId, byte[] payload) implements OutboundRecord {
        public Telemetry {
            Objects.requireNonNull(deviceId, "deviceId");
            Objects.requireNonNull(payload, "payload");
        }
    }

    /** A status message the device published (or its last will), with the MQTT topic it came on. */
    record DeviceStatus(String deviceId, String mqttTopic, byte[] payload) implements OutboundRecord {
        public DeviceStatus {
            Objects.requireNonNull(deviceId, "deviceId");
            Objects.requireNonNull(mqttTopic, "mqttTopic");
            Objects.requireNonNull(payload, "payload");
        }
    }

    /** A refused payload, kept with why it was refused; {@code rule} is the contract rule broken, or null. */
    record DeadLetter(String deviceId, String mqttTopic, RejectReason reason, String detail, ContractRule rule,
            byte[] payload) implements OutboundRecord {
        public DeadLetter {
            Objects.requireNonNull(deviceId, "deviceId");
            Objects.requireNonNull(mqttTopic, "mqttTopic");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(payload, "payload");
        }
    }

    /** An event the gateway itself reports about a device's connection; {@code detail} may be null. */
    record ConnectionEvent(String deviceId, Event event, Instant time, String gatewayId, String detail)
            implements OutboundRecord {
        public ConnectionEvent {
            Objects.requireNonNull(deviceId, "deviceId");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(gatewayId, "gatewayId");
        }
    }

    enum Event {
        CONNECTED("connected"),
        DISCONNECTED("disconnected"),
        /** The connection ended without a normal DISCONNECT (network loss, keep-alive timeout, error). */
        CONNECTION_LOST("connection-lost"),
        /** The gateway ended the connection (shutdown, device disabled, protocol violation). */
        DISCONNECTED_BY_GATEWAY("disconnected-by-gateway");

        private final String code;

        Event(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
