package io.tributary.gateway.mqtt;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.tributary.gateway.RejectReason;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;

/**
 * How one PUBLISH is answered. MQTT 5 gets the reason code; MQTT 3.1.1 has only success or a closed connection, so
 * a non-success answer closes its connection (the device re-sends after reconnecting) — except a permanent refusal
 * whose payload is stored on the dead-letter topic ({@link PubAck#deadLettered()}): re-sending it could only
 * dead-letter it again, so MQTT 3.1.1 gets PUBACK for it.
 */
sealed interface AckOutcome {

    /** A PUBACK; {@code reason} is the MQTT 5 Reason String (or null); {@code deadLettered}: 3.1.1 then gets PUBACK. */
    record PubAck(MqttPubAckReasonCode code, String reason, boolean deadLettered) implements AckOutcome {

        PubAck(MqttPubAckReasonCode code, String reason) {
            this(code, reason, false);
        }
    }

    /** End the connection: MQTT 5 with a DISCONNECT carrying {@code code}, MQTT 3.1.1 by closing it. */
    record Disconnect(MqttDisconnectReasonCode code, String reason) implements AckOutcome {
    }

    AckOutcome SUCCESS = new PubAck(MqttPubAckReasonCode.SUCCESS, null);

    /** A publish refused for good whose payload the dead-letter topic holds (MQTT 5: its code; 3.1.1: PUBACK). */
    static AckOutcome deadLettered(RejectReason reason, String detail) {
        AckOutcome outcome = rejected(reason, detail);
        if (outcome instanceof PubAck ack && ack.code() != MqttPubAckReasonCode.SUCCESS) {
            return new PubAck(ack.code(), ack.reason(), true);
        }
        return outcome;
    }

    /** Every reason has its answer: a new one does not compile until it gets one. */
    static AckOutcome rejected(RejectReason reason, String detail) {
        return switch (reason) {
            // PUBACK cannot carry 0x95 (packet too large); packets above the Maximum Packet Size announced in CONNACK
            // get DISCONNECT 0x95 instead (PACKET_TOO_LARGE). A payload over the payload limit but inside the packet
            // limit, or one refused for good (a rule of the input contract), is a payload the gateway will not take:
            // 0x99, so the device drops it rather than re-sending it forever.
            case PAYLOAD_FORMAT_INVALID, CONTRACT_VIOLATION, DEVICE_ID_MISMATCH, EMPTY_BATCH, PAYLOAD_TOO_LARGE ->
                    new PubAck(MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID, detail);
            case NOT_AUTHORIZED, TOPIC_NOT_ALLOWED -> new PubAck(MqttPubAckReasonCode.NOT_AUTHORIZED, detail);
            case GATEWAY_OVERLOADED, DEVICE_QUOTA_EXCEEDED -> new PubAck(MqttPubAckReasonCode.QUOTA_EXCEEDED, detail);
            case QOS_NOT_SUPPORTED -> new Disconnect(MqttDisconnectReasonCode.QOS_NOT_SUPPORTED, detail);
            case RECEIVE_MAXIMUM_EXCEEDED -> new Disconnect(MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED, detail);
            case PACKET_TOO_LARGE -> new Disconnect(MqttDisconnectReasonCode.PACKET_TOO_LARGE, detail);
            case MALFORMED_PACKET -> new Disconnect(MqttDisconnectReasonCode.MALFORMED_PACKET, detail);
        };
    }

    /** MQTT 5 properties carrying {@code reason} as Reason String, or none. */
    static MqttProperties reasonProperties(String reason, boolean allowed) {
        if (reason == null || !allowed) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties properties = new MqttProperties();
        String text = reason.length() <= 120 ? reason : reason.substring(0, 120) + "...";
        properties.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, text));
        return properties;
    }
}
