package io.tributary.gateway;

/**
 * Why the gateway refused a device's packet. The {@link #code()} is the short kebab-case code that goes into the
 * dead-letter header {@code tributary.reason} and labels the rejection counter.
 */
public enum RejectReason {
    /** Not a {@code ReadingBatch} (a reading without sensor name or event time is a {@link #CONTRACT_VIOLATION}). */
    PAYLOAD_FORMAT_INVALID("payload-format-invalid", true),
    DEVICE_ID_MISMATCH("device-id-mismatch", true),
    EMPTY_BATCH("empty-batch", true),
    PAYLOAD_TOO_LARGE("payload-too-large", true),
    /** The whole MQTT packet exceeded the server's maximum packet size; the payload was discarded while decoding. */
    PACKET_TOO_LARGE("packet-too-large", false),
    MALFORMED_PACKET("malformed-packet", false),
    /** A publish to another device's topic. */
    NOT_AUTHORIZED("not-authorized", false),
    /** A publish to a topic the gateway does not serve. */
    TOPIC_NOT_ALLOWED("topic-not-allowed", false),
    /** A QoS 2 publish: the gateway supports QoS 0 and 1 only. */
    QOS_NOT_SUPPORTED("qos-not-supported", false),
    /** The device has more unacknowledged QoS 1 publishes in flight than the gateway allows per connection. */
    RECEIVE_MAXIMUM_EXCEEDED("receive-maximum-exceeded", false),
    /** The gateway has too much data in flight to Kafka; the device should retry later. */
    GATEWAY_OVERLOADED("gateway-overloaded", false),
    /**
     * The batch breaks the input contract ({@code io.tributary.contract.InputContract}: event-time window, finite
     * values, sensor names and units, readings per batch, sensors per device). Refused whole with 0x99; the dead
     * letter names the broken rule in {@code tributary.contract-rule}.
     */
    CONTRACT_VIOLATION("contract-violation", true),
    /** The device published more messages or bytes per second than its quota allows (MQTT 5: PUBACK 0x97). */
    DEVICE_QUOTA_EXCEEDED("device-quota-exceeded", false);

    private final String code;
    private final boolean deadLettered;

    RejectReason(String code, boolean deadLettered) {
        this.code = code;
        this.deadLettered = deadLettered;
    }

    public String code() {
        return code;
    }

    public boolean deadLettered() {
        return deadLettered;
    }
}
