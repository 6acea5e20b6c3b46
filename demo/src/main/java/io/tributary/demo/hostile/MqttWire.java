package io.tributary.demo.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * MQTT packets written byte by byte (OASIS MQTT 3.1.1 and 5.0, section 3), and a blocking client that sends whatever it
 * is given, well-formed or not: what an attacker's hand-made client does. Each test of the suite reads the gateway's
 * answers at this level, so a reason code is checked as it went over the wire, not as a client library reports it.
 */
public final class MqttWire {

    public static final int CONNACK = 2;
    public static final int PUBACK = 4;
    public static final int DISCONNECT = 14;

    public static final int LEVEL_311 = 4;
    public static final int LEVEL_5 = 5;

    private MqttWire() {
    }

    /** A CONNECT with clean start, user name and password (either may be null) and no properties. */
    public static byte[] connect(int level, String clientId, String user, byte[] password, int keepAliveSeconds) {
        return connect(level, clientId, user, password, keepAliveSeconds, level >= LEVEL_5 ? new byte[0] : null);
    }

    /**
     * A CONNECT; {@code properties} are the MQTT 5 property bytes (without their length), written raw — null writes no
     * property section at all (MQTT 3.1.1).
     */
    public static byte[] connect(int level, String clientId, String user, byte[] password, int keepAliveSeconds,
            byte[] properties) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeBinary(body, "MQTT".getBytes(StandardCharsets.US_ASCII));
        body.write(level);
        int flags = 0x02;
        if (user != null) {
            flags |= 0x80;
        }
        if (password != null) {
            flags |= 0x40;
        }
        body.write(flags);
        body.write(keepAliveSeconds >> 8);
        body.write(keepAliveSeconds & 0xFF);
        if (properties != null) {
            writeVarInt(body, properties.length);
            body.writeBytes(properties);
        }
        writeString(body, clientId);
        if (user != null) {
            writeString(body, user);
        }
        if (password != null) {
            writeBinary(body, password);
        }
        return packet(0x10, body.toByteArray());
    }

    /** A PUBLISH of QoS 0 or 1 (packet id only with QoS 1; an empty property section on MQTT 5). */
    public static byte[] publish(boolean mqtt5, int qos, String topic, int packetId, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(payload.length + topic.length() + 8);
        writeString(body, topic);
        if (qos > 0) {
            body.write(packetId >> 8);
            body.write(packetId & 0xFF);
        }
        if (mqtt5) {
            body.write(0);
        }
        body.writeBytes(payload);
        return packet(0x30 | (qos << 1), body.toByteArray());
    }

    /** An MQTT 5 SUBSCRIBE of one topic filter at QoS 0, no properties. */
    public static byte[] subscribe(int packetId, String topicFilter) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(packetId >> 8);
        body.write(packetId & 0xFF);
        body.write(0);
        writeString(body, topicFilter);
        body.write(0);
        return packet(0x82, body.toByteArray());
    }

    public static byte[] disconnect() {
        return new byte[] {(byte) 0xE0, 0};
    }

    public static byte[] pingReq() {
        return new byte[] {(byte) 0xC0, 0};
    }

    public static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 5);
        out.write(firstByte);
        writeVarInt(out, body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    public static void writeVarInt(ByteArrayOutputStream out, int value) {
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }

    static void writeString(ByteArrayOutputStream out, String value) {
        writeBinary(out, value.getBytes(StandardCharsets.UTF_8));
    }

    static void writeBinary(ByteArrayOutputStream out, byte[] value) {
        out.write(value.length >> 8);
        out.write(value.length & 0xFF);
        out.writeBytes(value);
    }

    /** An answer as the report names it: {@code CONNACK 0x00}, {@code DISCONNECT 0x8e}, or {@code closed} (null). */
    public static String describe(Packet packet) {
        return packet == null ? "closed" : packet.toString();
    }

    /** One packet as read: its type (high nibble), flags (low nibble) and body. */
    public record Packet(int type, int flags, byte[] body) {

        /** CONNACK: the reason code (MQTT 5) or return code (3.1.1). */
        public int connackCode() {
            return body.length >= 2 ? body[1] & 0xFF : -1;
        }

        /** PUBACK: the reason code; a 2-byte PUBACK means success. */
        public int pubackCode() {
            return body.length >= 3 ? body[2] & 0xFF : 0;
        }

        /** DISCONNECT: the reason code; an empty one means normal disconnection (0). */
        public int disconnectCode() {
            return body.length >= 1 ? body[0] & 0xFF : 0;
        }

        @Override
        public String toString() {
            return switch (type) {
                case CONNACK -> String.format("CONNACK 0x%02x", connackCode());
                case PUBACK -> String.format("PUBACK 0x%02x", pubackCode());
                case DISCONNECT -> String.format("DISCONNECT 0x%02x", disconnectCode());
                default -> "packet type " + type;
            };
        }
    }

    /**
     * A blocking TCP client that speaks raw bytes. Not thread-safe: one thread drives it. {@link #read} tells a packet,
     * a closed connection (null) and silence (a {@link SocketTimeoutException}) apart.
     */
    public static final class RawClient implements AutoCloseable {

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private RawClient(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /**
         * Opens a connection from {@code source} (null for the system's choice; any 127.x.y.z on Linux, so one test
         * host can act as several addresses) to {@code host:port}. An {@code unread} one has the smallest receive
         * buffer the kernel allows: for a client that never reads.
         */
        public static RawClient open(String host, int port, InetAddress source, Duration timeout, boolean unread)
                throws IOException {
            Socket socket = new Socket();
            try {
                if (unread) {
                    socket.setReceiveBufferSize(4096);
                } else {
                    socket.setTcpNoDelay(true);
                }
                if (source != null) {
                    socket.bind(new InetSocketAddress(source, 0));
                }
                socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
                socket.setSoTimeout((int) timeout.toMillis());
                return new RawClient(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        public void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** Sends without raising: false if the connection is gone. */
        public boolean trySend(byte[] bytes) {
            try {
                send(bytes);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /** Half-closes: the server reads end-of-stream after what was sent (a client that gives up mid-packet). */
        public void finishSending() {
            try {
                socket.shutdownOutput();
            } catch (IOException e) {
                // already gone
            }
        }

        public void soTimeout(Duration timeout) throws IOException {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        }

        /** The next packet; null when the server closed (or reset) the connection; silence raises a timeout. */
        public Packet read() throws IOException {
            try {
                int first = in.read();
                if (first < 0) {
                    return null;
                }
                int length = 0;
                int shift = 0;
                int digit;
                do {
                    digit = in.read();
                    if (digit < 0) {
                        return null;
                    }
                    length |= (digit & 0x7F) << shift;
                    shift += 7;
                } while ((digit & 0x80) != 0 && shift < 28);
                byte[] body = in.readNBytes(length);
                if (body.length < length) {
                    return null;
                }
                return new Packet(first >> 4, first & 0x0F, body);
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                if (socket.isClosed()) {
                    throw e;
                }
                return null; // connection reset by the server: closed, as far as the client can tell
            }
        }

        /** Reads until a packet of {@code type} or a DISCONNECT arrives; null if the connection closed first. */
        public Packet await(int type) throws IOException {
            while (true) {
                Packet packet = read();
                if (packet == null || packet.type() == type || packet.type() == DISCONNECT) {
                    return packet;
                }
            }
        }

        /** Sends an MQTT 5 CONNECT of {@code device} (its id as user name); the answer, null if the server closed. */
        public Packet connect(String device, byte[] password, int keepAliveSeconds) throws IOException {
            send(MqttWire.connect(LEVEL_5, device, device, password, keepAliveSeconds));
            return await(CONNACK);
        }

        public boolean isClosed() {
            return socket.isClosed();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
    }
}
