package io.tributary.contract;

/**
 * Kafka header names the parts agree on: on dead-letter records (written by the gateway and the cloud processor, read
 * by {@code ./tributary deadletter}) and on device-status events. Values are UTF-8 text.
 */
public final class KafkaHeaders {

    /** Why the record was refused (a stable snake_case or kebab-case reason). */
    public static final String REASON = "tributary.reason";
    /** More about the reason, for people. */
    public static final String REASON_DETAIL = "tributary.reason-detail";
    /** The input-contract rule broken, when the reason is a contract violation. */
    public static final String CONTRACT_RULE = "tributary.contract-rule";
    /** The size of the original payload, when the stored one was cut. */
    public static final String PAYLOAD_BYTES = "tributary.payload-bytes";
    /** Whether the stored payload was cut. */
    public static final String PAYLOAD_TRUNCATED = "tributary.payload-truncated";
    public static final String DEVICE = "tributary.device";
    /** The MQTT topic the payload came on. */
    public static final String MQTT_TOPIC = "tributary.mqtt-topic";
    /** The Kafka topic a record refused downstream came from. */
    public static final String SOURCE_TOPIC = "tributary.source-topic";
    /** Its partition. */
    public static final String SOURCE_PARTITION = "tributary.source-partition";
    /** Its offset. */
    public static final String SOURCE_OFFSET = "tributary.source-offset";
    /** Which part dead-lettered it. */
    public static final String DEADLETTERED_BY = "tributary.deadlettered-by";
    /** On a replayed record: where it was replayed from. */
    public static final String REPLAYED_FROM = "tributary.replayed-from";

    /** On a device-status event the gateway writes itself: {@code connected}, {@code disconnected}, ... */
    public static final String EVENT = "tributary.event";

    private KafkaHeaders() {
    }
}
