package io.tributary.testing.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A blocking TCP socket that speaks raw MQTT bytes, for tests that send what no real client would: garbage, truncated
 * or oversized packets, packets out of order, or nothing at all.
 */
public final class RawMqttSocket implements AutoCloseable {

    /** One packet read: the first byte and the body after the remaining length. */
    public record Packet(int firstByte, byte[] body) {
        public int type() {
            return firstByte >> 4;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private RawMqttSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Opens a TCP connection to the gateway on 127.0.0.1 and sends nothing. */
    public static RawMqttSocket open(int port) throws IOException {
        return open(port, 0);
    }

    /** As {@link #open(int)}, with a receive buffer of {@code receiveBufferBytes} (0: the system's). */
    public static RawMqttSocket open(int port, int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new RawMqttSocket(socket);
    }

    /** As {@link #open(int)}, from {@code localAddress} (a loopback address other than 127.0.0.1, say). */
    public static RawMqttSocket openFrom(int port, java.net.InetAddress localAddress) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new RawMqttSocket(socket);
    }

    /** Writes {@code bytes} as they are. */
    public RawMqttSocket send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /**
     * Reads the next packet, waiting up to {@code timeout}.
     *
     * @return null when the gateway closed the connection
     * @throws SocketTimeoutException when nothing came in time
     */
    public Packet read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        try {
            int first = in.read();
            if (first < 0) {
                return null;
            }
            int length = readRemainingLength(in);
            byte[] body = new byte[length];
            in.readFully(body);
            return new Packet(first, body);
        } catch (EOFException e) {
            return null;
        } catch (IOException e) {
            if (e instanceof SocketTimeoutException) {
                throw e;
            }
            return null; // reset by the gateway
        }
    }

    /**
     * Reads and drops packets until the gateway closes the connection.
     *
     * @return whether it closed within {@code timeout}
     */
    public boolean awaitClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                if (read(Duration.ofNanos(left)) == null) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** The underlying socket. */
    public Socket socket() {
        return socket;
    }

    // ---- packet builders and readers, for every raw client ------------------------------------------------

    /** A packet: {@code firstByte}, the remaining length of {@code body}, {@code body}. */
    public static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream packet = new ByteArrayOutputStream(body.length + 5);
        packet.write(firstByte);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            packet.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        packet.writeBytes(body);
        return packet.toByteArray();
    }

    /** An MQTT string: two length bytes, UTF-8. */
    public static byte[] string(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[bytes.length + 2];
        out[0] = (byte) (bytes.length >> 8);
        out[1] = (byte) bytes.length;
        System.arraycopy(bytes, 0, out, 2, bytes.length);
        return out;
    }

    /**
     * A CONNECT of protocol {@code level} (4 = 3.1.1, 5 = MQTT 5) with clean session, keep-alive 60 s and
     * {@code clientId}; for level 5 {@code properties} are the raw property bytes (their length is prepended).
     */
    public static byte[] connect(int level, String clientId, byte[] properties) {
        return connect(level, 60, clientId, properties, null, null);
    }

    /**
     * A CONNECT of protocol {@code level} (4 = 3.1.1, 5 = MQTT 5) with clean session, {@code keepAliveSeconds} and
     * {@code clientId}; for level 5 {@code properties} are the raw property bytes (their length is prepended, below
     * 128). A non-null {@code username} is sent with {@code password} (both flags set).
     */
    public static byte[] connect(int level, int keepAliveSeconds, String clientId, byte[] properties, String username,
            String password) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(string("MQTT"));
        body.write(level);
        body.write(username == null ? 0x02 : 0x80 | 0x40 | 0x02); // [user name, password,] clean start
        body.write(keepAliveSeconds >> 8);
        body.write(keepAliveSeconds & 0xFF);
        if (level >= 5) {
            body.write(properties.length); // a variable byte integer below 128
            body.writeBytes(properties);
        }
        body.writeBytes(string(clientId));
        if (username != null) {
            body.writeBytes(string(username));
            body.writeBytes(string(password));
        }
        return packet(0x10, body.toByteArray());
    }

    /** A QoS 1 PUBLISH of {@code payload} to {@code topic} with {@code packetId} (MQTT 3.1.1 layout). */
    public static byte[] publishQos1(String topic, int packetId, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(string(topic));
        body.write(packetId >> 8);
        body.write(packetId & 0xFF);
        body.writeBytes(payload);
        return packet(0x32, body.toByteArray());
    }

    /** Reads a remaining length (variable byte integer). */
    public static int readRemainingLength(DataInputStream in) throws IOException {
        int value = 0;
        int multiplier = 1;
        int digit;
        do {
            digit = in.readUnsignedByte();
            value += (digit & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((digit & 0x80) != 0);
        return value;
    }
}
