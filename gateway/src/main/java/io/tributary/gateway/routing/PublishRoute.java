package io.tributary.gateway.routing;

import io.tributary.gateway.RejectReason;
import java.util.Objects;

/** Where a device's PUBLISH goes, decided from its topic and the publishing device's identity. */
public sealed interface PublishRoute {

    /** {@code devices/{deviceId}/telemetry} of the publishing device: a {@code ReadingBatch} for Kafka. */
    record Telemetry(String deviceId) implements PublishRoute {
        public Telemetry {
            Objects.requireNonNull(deviceId, "deviceId");
        }
    }

    /** {@code devices/{deviceId}/status} of the publishing device: forwarded to the device-status topic. */
    record Status(String deviceId) implements PublishRoute {
        public Status {
            Objects.requireNonNull(deviceId, "deviceId");
        }
    }

    /** Refused: the topic is another device's, or not one the gateway serves. */
    record Refused(RejectReason reason, String detail) implements PublishRoute {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
