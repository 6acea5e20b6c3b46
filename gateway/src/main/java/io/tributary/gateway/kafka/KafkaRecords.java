package io.tributary.gateway.kafka;

import io.tributary.gateway.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/** The records the gateway writes, as the shared conventions define them. */
public final class KafkaRecords {

    /** Dead-letter header: the short kebab-case reason code ({@link RejectReason#code()}). */
    public static final String HEADER_REASON = "tributary.reason";
    /** Dead-letter header: the reason in words. */
    public static final String HEADER_REASON_DETAIL = "tributary.reason-detail";
    /** Header: the publishing device's id. */
    public static final String HEADER_DEVICE = "tributary.device";
    /** Header: the MQTT topic the payload was published on. */
    public static final String HEADER_MQTT_TOPIC = "tributary.mqtt-topic";
    /** Device-status header on events the gateway itself writes: {@code connected}, {@code disconnected}, ... */
    public static final String HEADER_EVENT = "tributary.event";

    /** Status event: the device's CONNECT was accepted. */
    public static final String EVENT_CONNECTED = "connected";
    /** Status event: the device ended its session with a normal DISCONNECT. */
    public static final String EVENT_DISCONNECTED = "disconnected";
    /** Status event: the connection ended without a normal DISCONNECT (network loss, keep-alive timeout, error). */
    public static final String EVENT_CONNECTION_LOST = "connection-lost";
    /** Status event: the gateway ended the connection (shutdown, device disabled, protocol violation). */
    public static final String EVENT_DISCONNECTED_BY_GATEWAY = "disconnected-by-gateway";

    private static final int MAX_HEADER_TEXT = 1024;

    private KafkaRecords() {
    }

    /** A telemetry record: key = device id, value = the batch exactly as the device sent it. */
    public static ProducerRecord<String, byte[]> telemetry(String topic, String deviceId, byte[] payload) {
        return new ProducerRecord<>(topic, deviceId, payload);
    }

    /** A device-status record: key = device id, value = the status payload as sent, with its MQTT topic. */
    public static ProducerRecord<String, byte[]> status(String topic, String deviceId, String mqttTopic,
            byte[] payload) {
        return new ProducerRecord<>(topic, null, deviceId, payload, List.of(header(HEADER_MQTT_TOPIC, mqttTopic)));
    }

    /** A dead-letter record: key = device id, value = the raw rejected payload, the reason in headers. */
    public static ProducerRecord<String, byte[]> deadLetter(String topic, String deviceId, String mqttTopic,
            RejectReason reason, String detail, byte[] payload) {
        List<Header> headers = List.of(
                header(HEADER_REASON, reason.code()),
                header(HEADER_REASON_DETAIL, detail),
                header(HEADER_DEVICE, deviceId),
                header(HEADER_MQTT_TOPIC, mqttTopic));
        return new ProducerRecord<>(topic, null, deviceId, payload, headers);
    }

    /**
     * A status event written by the gateway: key = device id, value = JSON
     * {@code {"device":..,"event":..,"time":"ISO-8601","gateway":..,"detail":..}}, header {@link #HEADER_EVENT}.
     */
    public static ProducerRecord<String, byte[]> statusEvent(String topic, String deviceId, String event,
            java.time.Instant time, String gatewayId, String detail) {
        io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject()
                .put("device", deviceId)
                .put("event", event)
                .put("time", time.toString())
                .put("gateway", gatewayId);
        if (detail != null) {
            json.put("detail", detail);
        }
        return new ProducerRecord<>(topic, null, deviceId, json.encode().getBytes(StandardCharsets.UTF_8),
                List.of(header(HEADER_EVENT, event)));
    }

    private static Header header(String key, String value) {
        String text = value.length() <= MAX_HEADER_TEXT ? value : value.substring(0, MAX_HEADER_TEXT) + "...";
        return new RecordHeader(key, text.getBytes(StandardCharsets.UTF_8));
    }
}
