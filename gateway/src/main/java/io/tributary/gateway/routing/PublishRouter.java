package io.tributary.gateway.routing;

import io.tributary.contract.registry.DeviceIds;
import io.tributary.gateway.RejectReason;

/**
 * Maps a PUBLISH topic to a {@link PublishRoute}. Devices publish only to their own topics
 * {@code devices/{id}/telemetry} and {@code devices/{id}/status}; everything else is refused.
 */
public final class PublishRouter {

    public static final String DEVICES = "devices";
    public static final String TELEMETRY = "telemetry";
    public static final String STATUS = "status";

    private PublishRouter() {
    }

    public static PublishRoute route(String publisherId, String topic) {
        if (topic == null || topic.isEmpty()) {
            return new PublishRoute.Refused(RejectReason.TOPIC_NOT_ALLOWED, "empty topic");
        }
        String[] levels = topic.split("/", -1);
        if (levels.length != 3 || !DEVICES.equals(levels[0]) || !DeviceIds.isValid(levels[1])) {
            return new PublishRoute.Refused(RejectReason.TOPIC_NOT_ALLOWED,
                    "topic '" + abbreviate(topic) + "' is not a device topic");
        }
        String topicDevice = levels[1];
        if (!topicDevice.equals(publisherId)) {
            return new PublishRoute.Refused(RejectReason.NOT_AUTHORIZED,
                    "device '" + publisherId + "' may not publish to device '" + topicDevice + "'");
        }
        switch (levels[2]) {
            case TELEMETRY:
                return new PublishRoute.Telemetry(topicDevice);
            case STATUS:
                return new PublishRoute.Status(topicDevice);
            default:
                return new PublishRoute.Refused(RejectReason.TOPIC_NOT_ALLOWED,
                        "devices may not publish to '" + abbreviate(topic) + "'");
        }
    }

    public static String telemetryTopic(String deviceId) {
        return DEVICES + "/" + deviceId + "/" + TELEMETRY;
    }

    public static String statusTopic(String deviceId) {
        return DEVICES + "/" + deviceId + "/" + STATUS;
    }

    /** Keeps details (which end up in logs and MQTT reason strings) short even for hostile topics. */
    public static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
