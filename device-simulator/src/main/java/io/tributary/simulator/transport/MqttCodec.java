package io.tributary.simulator.transport;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The few MQTT 5 packets a simulated device sends and receives, encoded and decoded by hand: CONNECT, PUBLISH (QoS 1),
 * PINGREQ and DISCONNECT out; CONNACK, PUBACK, PINGRESP and DISCONNECT in. Pure code (OASIS MQTT 5.0, section 3).
 */
final class MqttCodec {

    static final int CONNACK = 2;
    static final int PUBACK = 4;
    static final int PINGRESP = 13;
    static final int DISCONNECT = 14;

    private static final byte[] PROTOCOL_NAME = "MQTT".getBytes(StandardCharsets.US_ASCII);
    private static final int PROTOCOL_LEVEL_5 = 5;

    private MqttCodec() {
    }

    static Buffer connect(String clientId, String username, byte[] password, int keepAliveSeconds) {
        Buffer body = Buffer.buffer();
        writeBinary(body, PROTOCOL_NAME);
        body.appendByte((byte) PROTOCOL_LEVEL_5);
        int flags = 0x02; // clean start
        if (username != null) {
            flags |= 0x80;
        }
        if (password != null) {
            flags |= 0x40;
        }
        body.appendByte((byte) flags);
        body.appendUnsignedShort(keepAliveSeconds);
        writeVarInt(body, 0); // no properties
        writeString(body, clientId);
        if (username != null) {
            writeString(body, username);
        }
        if (password != null) {
            writeBinary(body, password);
        }
        return packet(0x10, body);
    }

    /**
     * A QoS 1 PUBLISH with the topic already UTF-8 encoded, written into one buffer of its exact size: the simulator
     * sends thousands a second, each device always to the same topic.
     */
    static Buffer publishQos1(byte[] topicUtf8, int packetId, byte[] payload) {
        if (topicUtf8.length > 0xFFFF) {
            throw new IllegalArgumentException("MQTT strings and binary data hold at most 65535 bytes");
        }
        int remaining = 2 + topicUtf8.length + 2 + 1 + payload.length; // topic, packet id, no properties, payload
        Buffer packet = Buffer.buffer(1 + varIntLength(remaining) + remaining);
        packet.appendByte((byte) 0x32);
        writeVarInt(packet, remaining);
        packet.appendUnsignedShort(topicUtf8.length);
        packet.appendBytes(topicUtf8);
        packet.appendUnsignedShort(packetId);
        packet.appendByte((byte) 0); // no properties
        packet.appendBytes(payload);
        return packet;
    }

    private static int varIntLength(int value) {
        int bytes = 1;
        for (int remaining = value >>> 7; remaining > 0; remaining >>>= 7) {
            bytes++;
        }
        return bytes;
    }

    static Buffer pingReq() {
        return Buffer.buffer(new byte[] {(byte) 0xC0, 0});
    }

    static Buffer disconnect() {
        return Buffer.buffer(new byte[] {(byte) 0xE0, 0});
    }

    /** One received packet: its type, flags and body (the bytes after the fixed header). */
    record Packet(int type, int flags, Buffer body) {

        /** CONNACK: the reason code (0 = accepted). */
        int connackReasonCode() {
            return body.getUnsignedByte(1);
        }

        int packetId() {
            return body.getUnsignedShort(0);
        }

        /** PUBACK: the reason code; a PUBACK of two bytes means success (MQTT 5, 3.4.2.1). */
        int pubackReasonCode() {
            return body.length() > 2 ? body.getUnsignedByte(2) : 0;
        }

        /**
         * PUBACK: the Reason String property (0x1F), or null when there is none or the properties are malformed
         * (the reason code alone decides; the text is for logs).
         */
        String pubackReasonString() {
            if (body.length() <= 3) {
                return null;
            }
            try {
                int position = 3;
                int length = 0;
                int shift = 0;
                int digit;
                do {
                    digit = body.getUnsignedByte(position++);
                    length |= (digit & 0x7F) << shift;
                    shift += 7;
                } while ((digit & 0x80) != 0 && shift < 28);
                int end = Math.min(body.length(), position + length);
                while (position < end) {
                    int id = body.getUnsignedByte(position++);
                    if (id == 0x1F) {
                        int size = body.getUnsignedShort(position);
                        return body.getString(position + 2, position + 2 + size, "UTF-8");
                    }
                    if (id != 0x26) {
                        return null; // PUBACK carries only Reason String and User Properties
                    }
                    for (int pair = 0; pair < 2; pair++) { // user property: two strings
                        position += 2 + body.getUnsignedShort(position);
                    }
                }
                return null;
            } catch (IndexOutOfBoundsException e) {
                return null;
            }
        }

        /** DISCONNECT: the reason code; an empty one means normal disconnection. */
        int disconnectReasonCode() {
            return body.length() > 0 ? body.getUnsignedByte(0) : 0;
        }
    }

    /** Splits a byte stream into packets. Not thread-safe: one decoder per connection, fed on its event loop. */
    static final class Decoder {
        private Buffer pending = Buffer.buffer();

        /** Feeds received bytes; calls {@code sink} for every complete packet. */
        void feed(Buffer bytes, Consumer<Packet> sink) {
            pending.appendBuffer(bytes);
            int position = 0;
            while (pending.length() - position >= 2) {
                int header = pending.getUnsignedByte(position);
                int length = 0;
                int multiplier = 1;
                int cursor = position + 1;
                boolean complete = false;
                while (cursor < pending.length()) {
                    int digit = pending.getUnsignedByte(cursor++);
                    length += (digit & 0x7F) * multiplier;
                    if ((digit & 0x80) == 0) {
                        complete = true;
                        break;
                    }
                    multiplier *= 128;
                    if (multiplier > 128 * 128 * 128) {
                        throw new IllegalStateException("malformed remaining length from the server");
                    }
                }
                if (!complete || pending.length() - cursor < length) {
                    break;
                }
                sink.accept(new Packet(header >> 4, header & 0x0F, pending.getBuffer(cursor, cursor + length)));
                position = cursor + length;
            }
            pending = position == pending.length() ? Buffer.buffer() : pending.getBuffer(position, pending.length());
        }
    }

    private static Buffer packet(int firstByte, Buffer body) {
        Buffer packet = Buffer.buffer(body.length() + 5);
        packet.appendByte((byte) firstByte);
        writeVarInt(packet, body.length());
        packet.appendBuffer(body);
        return packet;
    }

    private static void writeString(Buffer out, String value) {
        writeBinary(out, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBinary(Buffer out, byte[] value) {
        if (value.length > 0xFFFF) {
            throw new IllegalArgumentException("MQTT strings and binary data hold at most 65535 bytes");
        }
        out.appendUnsignedShort(value.length);
        out.appendBytes(value);
    }

    static void writeVarInt(Buffer out, int value) {
        int remaining = value;
        do {
            int digit = remaining % 128;
            remaining /= 128;
            if (remaining > 0) {
                digit |= 0x80;
            }
            out.appendByte((byte) digit);
        } while (remaining > 0);
    }
}
