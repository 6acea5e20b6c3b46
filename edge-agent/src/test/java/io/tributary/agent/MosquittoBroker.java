package io.tributary.agent;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Mosquitto broker (package {@code mosquitto}) as a real, third-party MQTT 5 peer for the agent's ITs.
 * Persistent, so a subscriber's session and its queued QoS 1 messages survive a broker restart.
 */
final class MosquittoBroker implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Path dir;
    private final int port;
    private Process process;

    MosquittoBroker(Path dir) throws IOException {
        this(dir, "");
    }

    /**
     * {@code listenerOptions}: extra lines for the listener, e.g. certfile/keyfile for TLS; with a password_file,
     * anonymous clients are refused.
     */
    MosquittoBroker(Path dir, String listenerOptions) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install -y mosquitto");
        }
        this.dir = dir;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("mosquitto.conf"), """
                # run as root (this box), mosquitto would switch to user 'mosquitto', who cannot read the test's
                # temp dir; as any other user this line is ignored
                user root
                listener %d 127.0.0.1
                %s
                allow_anonymous %s
                persistence true
                persistence_location %s/
                log_dest stderr
                log_type error
                max_queued_messages 100000
                """.formatted(port, listenerOptions, !listenerOptions.contains("password_file"), dir));
    }

    int port() {
        return port;
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    void start() throws Exception {
        process = new ProcessBuilder(BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("mosquitto did not listen on " + port);
    }

    /** SIGTERM: mosquitto saves its persistent sessions, then exits. */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
