package io.tributary.gateway.kafka;

import io.tributary.contract.ContractRule;
import io.tributary.contract.KafkaHeaders;
import io.tributary.gateway.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/** The Kafka records the gateway writes, with the headers of {@link KafkaHeaders}. */
public final class KafkaRecords {

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
        return new ProducerRecord<>(topic, null, deviceId, payload,
                List.of(header(KafkaHeaders.MQTT_TOPIC, mqttTopic)));
    }

    /** A dead letter cut to {@link io.tributary.gateway.GatewayConfig#DEFAULT_DEADLETTER_MAX_PAYLOAD_BYTES}. */
    public static ProducerRecord<String, byte[]> deadLetter(String topic, String deviceId, String mqttTopic,
            RejectReason reason, String detail, byte[] payload) {
        return deadLetter(topic, deviceId, mqttTopic, reason, detail, null, payload,
                io.tributary.gateway.GatewayConfig.DEFAULT_DEADLETTER_MAX_PAYLOAD_BYTES);
    }

    /**
     * A dead-letter record: key = device id, value = the rejected payload cut to {@code maxPayloadBytes}, headers:
     * the reason ({@link KafkaHeaders#REASON}, {@link KafkaHeaders#REASON_DETAIL}), the broken contract rule if any
     * ({@link KafkaHeaders#CONTRACT_RULE}), the payload's original size ({@link KafkaHeaders#PAYLOAD_BYTES}) and whether the
     * value is cut ({@link KafkaHeaders#PAYLOAD_TRUNCATED}). Bounded so that a device's refused payloads cost the
     * dead-letter topic little, and a payload of any size fits a Kafka record.
     *
     * @param rule the input-contract rule broken, or null
     */
    public static ProducerRecord<String, byte[]> deadLetter(String topic, String deviceId, String mqttTopic,
            RejectReason reason, String detail, ContractRule rule, byte[] payload, int maxPayloadBytes) {
        boolean truncated = payload.length > maxPayloadBytes;
        byte[] value = truncated ? Arrays.copyOf(payload, Math.max(0, maxPayloadBytes)) : payload;
        List<Header> headers = new ArrayList<>(8);
        headers.add(header(KafkaHeaders.REASON, reason.code()));
        headers.add(header(KafkaHeaders.REASON_DETAIL, detail));
        if (rule != null) {
            headers.add(header(KafkaHeaders.CONTRACT_RULE, rule.label()));
        }
        headers.add(header(KafkaHeaders.DEVICE, deviceId));
        headers.add(header(KafkaHeaders.MQTT_TOPIC, mqttTopic));
        headers.add(header(KafkaHeaders.PAYLOAD_BYTES, Integer.toString(payload.length)));
        headers.add(header(KafkaHeaders.PAYLOAD_TRUNCATED, Boolean.toString(truncated)));
        return new ProducerRecord<>(topic, null, deviceId, value, headers);
    }

    /** A status event of the gateway: JSON {@code {"device","event","time","gateway","detail"}}, header EVENT. */
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
                List.of(header(KafkaHeaders.EVENT, event)));
    }

    private static Header header(String key, String value) {
        String text = value.length() <= MAX_HEADER_TEXT ? value : value.substring(0, MAX_HEADER_TEXT) + "...";
        return new RecordHeader(key, text.getBytes(StandardCharsets.UTF_8));
    }
}
