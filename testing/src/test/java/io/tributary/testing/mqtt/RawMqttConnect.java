package io.tributary.testing.mqtt;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * One MQTT CONNECT on a plain blocking socket, from a chosen local address (127.0.0.2 is another loopback source
 * address on Linux), answered by a CONNACK whose return or reason code is returned. As fast as a client can be: an
 * attacker's tool for login floods, and a stopwatch for honest CONNACK times.
 */
public final class RawMqttConnect {

    private RawMqttConnect() {
    }

    /**
     * Sends CONNECT (clean start, keep-alive 30 s, client id = user name) and reads the CONNACK.
     *
     * @param localAddress the source address to bind, e.g. "127.0.0.2"; null for any
     * @param protocolLevel 4 (3.1.1) or 5
     * @param keepOpen whether to leave the connection open after a successful CONNACK (returned socket closed
     *     otherwise); the caller closes it via {@link Result#close()}
     * @return the CONNACK code: MQTT 5 reason code or 3.1.1 return code
     */
    public static Result connect(int port, String localAddress, int protocolLevel, String username, String password,
            boolean keepOpen) throws IOException {
        long start = System.nanoTime();
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            OutputStream out = socket.getOutputStream();
            out.write(RawMqttSocket.connect(protocolLevel, 30, username, new byte[0], username, password));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int type = in.readUnsignedByte();
            int length = RawMqttSocket.readRemainingLength(in);
            byte[] connack = new byte[length];
            in.readFully(connack);
            long nanos = System.nanoTime() - start;
            if (type != 0x20 || length < 2) {
                throw new IOException("not a CONNACK: type 0x" + Integer.toHexString(type) + ", length " + length);
            }
            int code = connack[1] & 0xff;
            Result result = new Result(code, nanos, keepOpen && code == 0 ? socket : null);
            if (result.socket == null) {
                socket.setSoLinger(true, 0); // reset, no TIME_WAIT: a flood must not run out of local ports
                socket.close();
            }
            return result;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A CONNACK code, how long it took from opening the socket, and the open connection if kept.
     *
     * @param code MQTT 5 reason code or 3.1.1 return code
     * @param nanos from opening the TCP connection until the CONNACK was read
     * @param socket the open connection, or null
     */
    public record Result(int code, long nanos, Socket socket) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
            }
        }
    }
}
