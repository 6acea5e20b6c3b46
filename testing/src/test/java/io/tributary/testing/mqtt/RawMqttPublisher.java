package io.tributary.testing.mqtt;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;

/**
 * An MQTT 3.1.1 device on a plain blocking socket that publishes QoS 1 as fast as TCP takes it, without waiting for
 * PUBACKs: a writer thread sends PUBLISH packets numbered 1, 2, 3... until {@link #stopAfter}, a reader thread records
 * which were acknowledged. Unlike Paho it has no in-flight window of its own, so when the server stops reading, the
 * writer blocks in {@code write()}: {@link #lastProgressNanos()} stops moving.
 */
public final class RawMqttPublisher implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final String topic;
    private final LongFunction<byte[]> payloads;
    private final Map<Integer, Long> seqByPacketId = new ConcurrentHashMap<>();
    private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong writtenBytes = new AtomicLong();
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile long stopAfter = Long.MAX_VALUE;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closing;
    private final Thread writer;
    private final Thread reader;

    private RawMqttPublisher(Socket socket, String topic, LongFunction<byte[]> payloads) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
        this.topic = topic;
        this.payloads = payloads;
        this.writer = new Thread(this::writeLoop, "raw-mqtt-writer");
        this.reader = new Thread(this::readLoop, "raw-mqtt-reader");
        writer.setDaemon(true);
        reader.setDaemon(true);
    }

    /**
     * Connects (clean session, keep-alive 60 s) as {@code clientId} and waits for a successful CONNACK; publishing
     * starts with {@link #start}.
     */
    public static RawMqttPublisher connect(int port, String clientId, String topic, LongFunction<byte[]> payloads)
            throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        RawMqttPublisher publisher = new RawMqttPublisher(socket, topic, payloads);
        publisher.out.write(RawMqttSocket.connect(4, clientId, new byte[0]));
        publisher.out.flush();
        int type = publisher.in.readUnsignedByte();
        int length = RawMqttSocket.readRemainingLength(publisher.in);
        byte[] connack = new byte[length];
        publisher.in.readFully(connack);
        if (type != 0x20 || length != 2 || connack[1] != 0) {
            socket.close();
            throw new IOException("CONNECT refused: packet type 0x" + Integer.toHexString(type) + ", return code "
                    + (length == 2 ? connack[1] : -1));
        }
        socket.setSoTimeout(0);
        return publisher;
    }

    /** Starts writing and reading. */
    public RawMqttPublisher start() {
        reader.start();
        writer.start();
        return this;
    }

    /** The writer stops after the PUBLISH numbered {@code seq} (or at once if it wrote that many already). */
    public RawMqttPublisher stopAfter(long seq) {
        stopAfter = seq;
        return this;
    }

    /** PUBLISH packets written completely. */
    public long written() {
        return written.get();
    }

    /** Bytes written, PUBLISH packets only. */
    public long writtenBytes() {
        return writtenBytes.get();
    }

    /** When the writer last completed a PUBLISH. */
    public long lastProgressNanos() {
        return lastProgressNanos;
    }

    /** The numbers of the publishes the server acknowledged. */
    public Set<Long> acknowledged() {
        return acknowledged;
    }

    /** Why the connection failed, if it did (null while it works or after a regular close). */
    public Throwable failure() {
        return failure.get();
    }

    private void writeLoop() {
        try {
            long seq = 0;
            while (!closing) {
                if (seq >= stopAfter) {
                    Thread.sleep(10); // stopAfter may still be raised
                    continue;
                }
                seq++;
                // Packet ids cycle 1..65535: the tests never have that many unanswered publishes at once.
                int packetId = (int) ((seq - 1) % 65535) + 1;
                seqByPacketId.put(packetId, seq);
                byte[] publish = RawMqttSocket.publishQos1(topic, packetId, payloads.apply(seq));
                out.write(publish);
                written.incrementAndGet();
                writtenBytes.addAndGet(publish.length);
                lastProgressNanos = System.nanoTime();
            }
        } catch (IOException e) {
            if (!closing) {
                failure.compareAndSet(null, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readLoop() {
        try {
            while (true) {
                int type = in.readUnsignedByte();
                int length = RawMqttSocket.readRemainingLength(in);
                byte[] body = new byte[length];
                in.readFully(body);
                if (type == 0x40 && length == 2) {
                    int packetId = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
                    Long seq = seqByPacketId.remove(packetId);
                    if (seq != null) {
                        acknowledged.add(seq);
                    }
                }
            }
        } catch (EOFException e) {
            if (!closing) {
                failure.compareAndSet(null, new IOException("server closed the connection"));
            }
        } catch (IOException e) {
            if (!closing) {
                failure.compareAndSet(null, e);
            }
        }
    }

    /** Closes the socket (to the server, a lost connection). */
    @Override
    public void close() throws IOException {
        closing = true;
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            // already gone
        }
        socket.close();
        writer.interrupt();
    }
}
