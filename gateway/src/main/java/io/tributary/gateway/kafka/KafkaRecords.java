package io.tributary.gateway.kafka;

import io.tributary.contract.ContractRule;
import io.tributary.gateway.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
    /** Dead-letter header: the input-contract rule broken ({@link ContractRule#label()}), for contract violations. */
    public static final String HEADER_CONTRACT_RULE = "tributary.contract-rule";
    /** Dead-letter header: the size in bytes of the payload as the device sent it (decimal). */
    public static final String HEADER_PAYLOAD_BYTES = "tributary.payload-bytes";
    /** Dead-letter header: {@code true} when the record's value is only the start of the payload, else false. */
    public static final String HEADER_PAYLOAD_TRUNCATED = "tributary.payload-truncated";
    /** Header: the publishing device's id. */
    public static final String HEADER_DEVICE = "tributary.device";
    /** Header: the MQTT topic the payload was published on. */
    public static final String HEADER_MQTT_TOPIC = "tributary.mqtt-topic";
    /** Device-status header on events the gateway itself writes: {@code connected}, {@code disconnected}, ... */
    public static final String HEADER_EVENT = "tributary.event";

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

    /**
     * A dead-letter record: key = device id, value = the rejected payload (at most
     * {@link io.tributary.gateway.GatewayConfig#DEFAULT_DEADLETTER_MAX_PAYLOAD_BYTES} of it), the reason in headers.
     */
    public static ProducerRecord<String, byte[]> deadLetter(String topic, String deviceId, String mqttTopic,
            RejectReason reason, String detail, byte[] payload) {
        return deadLetter(topic, deviceId, mqttTopic, reason, detail, null, payload,
                io.tributary.gateway.GatewayConfig.DEFAULT_DEADLETTER_MAX_PAYLOAD_BYTES);
    }

    /**
     * A dead-letter record: key = device id, value = the rejected payload cut to {@code maxPayloadBytes}, headers:
     * the reason ({@link #HEADER_REASON}, {@link #HEADER_REASON_DETAIL}), the broken contract rule if any
     * ({@link #HEADER_CONTRACT_RULE}), the payload's original size ({@link #HEADER_PAYLOAD_BYTES}) and whether the
     * value is cut ({@link #HEADER_PAYLOAD_TRUNCATED}). Bounded so that a device's refused payloads cost the
     * dead-letter topic little, and a payload of any size fits a Kafka record.
     *
     * @param rule the input-contract rule broken, or null
     */
    public static ProducerRecord<String, byte[]> deadLetter(String topic, String deviceId, String mqttTopic,
            RejectReason reason, String detail, ContractRule rule, byte[] payload, int maxPayloadBytes) {
        boolean truncated = payload.length > maxPayloadBytes;
        byte[] value = truncated ? Arrays.copyOf(payload, Math.max(0, maxPayloadBytes)) : payload;
        List<Header> headers = new ArrayList<>(8);
        headers.add(header(HEADER_REASON, reason.code()));
        headers.add(header(HEADER_REASON_DETAIL, detail));
        if (rule != null) {
            headers.add(header(HEADER_CONTRACT_RULE, rule.label()));
        }
        headers.add(header(HEADER_DEVICE, deviceId));
        headers.add(header(HEADER_MQTT_TOPIC, mqttTopic));
        headers.add(header(HEADER_PAYLOAD_BYTES, Integer.toString(payload.length)));
        headers.add(header(HEADER_PAYLOAD_TRUNCATED, Boolean.toString(truncated)));
        return new ProducerRecord<>(topic, null, deviceId, value, headers);
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
