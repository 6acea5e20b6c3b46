package io.tributary.agent;

import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.config.BrokerConnection;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.sensor.SensorSpec;
import io.tributary.agent.transport.PahoPublisher;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The training run for the AppCDS archive: install.sh runs it under {@code -XX:DumpLoadedClassList} and archives every
 * class it loaded. It runs the real agent (its sensors, except {@code command} ones, which could have side effects;
 * an outbox in a temp dir; Paho) against a loopback MQTT 5 peer that acknowledges everything, until the first batch is
 * acknowledged, then stops it; and makes one connect attempt to a closed port (the outage path).
 *
 * <p>Why the real agent and not a walk over its parts: classes, lambdas and method-handle forms first loaded after
 * start-up are otherwise parsed or generated at run time, which costs the device about 2 MB of RSS (measured) that the
 * archive avoids.
 */
final class CdsTraining {

    /**
     * Sent instead of the device secret: the training peer needs none, and the real one must not travel to anything
     * but the gateway. Not empty, so Paho loads the classes of the password path.
     */
    private static final String TRAINING_PASSWORD = "cds-training-placeholder";

    private CdsTraining() {
    }

    static void run(AgentConfig config) throws Exception {
        Path tmp = Files.createTempDirectory("tributary-cds");
        try (AckingPeer peer = new AckingPeer()) {
            BrokerConnection local = loopback(config.mqtt(), peer.port(), Duration.ofSeconds(2));
            List<SensorSpec> sensors = config.sensors().stream().filter(s -> !s.type().equals("command")).toList();
            AgentConfig training = new AgentConfig(config.deviceId(), local, config.batchMaxReadings(),
                    config.batchMaxAge(), tmp, config.outbox(), sensors.isEmpty() ? config.sensors() : sensors,
                    config.root());
            DiskOutbox outbox = new DiskOutbox(tmp, training.outbox());
            PahoPublisher publisher = new PahoPublisher(local, training.deviceId(), training.statusTopic(),
                    training.configTopic());
            Agent agent = new Agent(training, outbox, publisher);
            agent.start();
            // the first batch closes once every sensor was read; 10 s bounds a slow sensor (the archive is then
            // only less complete, never wrong)
            peer.firstTelemetryAck.await(10, TimeUnit.SECONDS);
            agent.close();
            peer.close();
            connectToAClosedPort(training, peer.port());
        } finally {
            deleteTree(tmp);
        }
    }

    private static void connectToAClosedPort(AgentConfig config, int closedPort) {
        BrokerConnection unreachable = loopback(config.mqtt(), closedPort, Duration.ofSeconds(1));
        PahoPublisher publisher = new PahoPublisher(unreachable, config.deviceId(), config.statusTopic(),
                config.configTopic());
        try {
            publisher.connect(new byte[0], new byte[0]);
        } catch (Exception expected) {
            // nothing listens there
        }
        publisher.close();
    }

    /** {@code m} without TLS and without the device secret, to {@code port} on this host. */
    private static BrokerConnection loopback(BrokerConnection m, int port, Duration connectTimeout) {
        return new BrokerConnection("tcp://127.0.0.1:" + port, m.username(), TRAINING_PASSWORD, null, null, null,
                m.keepAlive(), connectTimeout, m.backoffInitial(), m.backoffMax(), m.maxInflight(), m.replayRate());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Just enough of an MQTT 5 server for one client on loopback: CONNACK, SUBACK (QoS 1 granted), PUBACK (success),
     * PINGRESP. Training only: it checks nothing and keeps nothing.
     */
    static final class AckingPeer implements AutoCloseable {

        final CountDownLatch firstTelemetryAck = new CountDownLatch(1);
        private final ServerSocket server;
        private final Thread thread;

        AckingPeer() throws IOException {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "cds-training-peer");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    converse(new DataInputStream(socket.getInputStream()), socket.getOutputStream());
                } catch (IOException e) {
                    // the client went away or the peer was closed: take the next connection, if any
                }
            }
        }

        private void converse(DataInputStream in, OutputStream out) throws IOException {
            while (true) {
                int header = in.read();
                if (header < 0) {
                    return;
                }
                byte[] body = new byte[remainingLength(in)];
                in.readFully(body);
                switch (header >> 4) {
                    case 1 -> out.write(new byte[] {0x20, 3, 0, 0, 0}); // CONNECT -> CONNACK success, no properties
                    case 3 -> { // PUBLISH
                        if ((header >> 1 & 3) == 1) { // QoS 1: the packet id follows the topic
                            int topicLength = (body[0] & 0xFF) << 8 | body[1] & 0xFF;
                            out.write(new byte[] {0x40, 2, body[2 + topicLength], body[3 + topicLength]});
                            if (new String(body, 2, topicLength, StandardCharsets.UTF_8)
                                    .endsWith("/telemetry")) {
                                firstTelemetryAck.countDown();
                            }
                        }
                    }
                    case 8 -> out.write(new byte[] {(byte) 0x90, 4, body[0], body[1], 0, 1}); // SUBACK: QoS 1
                    case 12 -> out.write(new byte[] {(byte) 0xD0, 0}); // PINGREQ -> PINGRESP
                    case 14 -> {
                        return; // DISCONNECT
                    }
                    default -> {
                        // nothing else needs an answer
                    }
                }
                out.flush();
            }
        }

        private static int remainingLength(DataInputStream in) throws IOException {
            int value = 0;
            for (int shift = 0; shift <= 21; shift += 7) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException();
                }
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IOException("malformed remaining length");
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
