package io.tributary.demo.process;

import io.tributary.common.ProcessCpu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline component (stack, gateway, processor, simulator) as its own JVM started from its built jar: its CPU
 * time is its own in {@code /proc/PID/stat}, a restart shows as a new pid or a dead process, and its stdout and
 * stderr go to {@code NAME.out} / {@code NAME.err} in the log directory. With a JMX port its heap can be read.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final int STDERR_TAIL_LINES = 20;

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final RemoteHeap heap;

    private ServiceProcess(String name, Process process, Path stdout, Path stderr, RemoteHeap heap) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.heap = heap;
    }

    /** {@code java [jvmOptions] -jar jar args}. */
    public static ServiceProcess start(String name, Path jar, List<String> jvmOptions, List<String> args,
            Path logDir) {
        return start(name, jar, jvmOptions, 0, args, logDir);
    }

    /**
     * {@code java [jvmOptions] (JMX on jmxPort) -jar jar args}; {@code jmxPort} 0 for none.
     *
     * @throws IllegalStateException when the jar is not built
     */
    public static ServiceProcess start(String name, Path jar, List<String> jvmOptions, int jmxPort,
            List<String> args, Path logDir) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./tributary build)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        if (jmxPort > 0) {
            command.addAll(RemoteHeap.jvmOptions(jmxPort));
        }
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        Path out = logDir.resolve(name + ".out");
        Path err = logDir.resolve(name + ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            LOG.info("Started {} [pid: {}, command: {}]", name, process.pid(), String.join(" ", command));
            return new ServiceProcess(name, process, out, err, jmxPort > 0 ? new RemoteHeap(name, jmxPort) : null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything it wrote to stdout so far. */
    public String stdoutText() {
        return read(stdout);
    }

    /** Everything it wrote to stdout and stderr so far. */
    public String output() {
        return read(stdout) + read(stderr);
    }

    /** The last lines of stderr, for error messages. */
    public String stderrTail() {
        List<String> lines = read(stderr).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - STDERR_TAIL_LINES), lines.size()));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** User plus system CPU seconds the process used so far; NaN once it is gone. */
    public double cpuSeconds() {
        return ProcessCpu.cpuSeconds(process.pid());
    }

    /**
     * The heap in use now, in bytes (optionally after asking for a full GC); -1 when JMX does not answer or the
     * process was started without a JMX port.
     */
    public long heapUsedBytes(boolean afterGc) {
        return heap == null ? -1 : heap.usedBytes(afterGc);
    }

    /**
     * Waits until {@code health} answers 200.
     *
     * @throws IllegalStateException when the process exits first or is not ready within {@code timeout}
     */
    public void awaitReady(LocalHttp http, URI health, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited at start: " + stderrTail());
            }
            if (http.ok(health)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + ": " + stderrTail());
    }

    /** Waits for the process to exit by itself; the exit code, or -1 if it still ran after {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        return -1;
    }

    /** Asks the process to stop (SIGTERM: every component shuts down gracefully on it), kills it if it does not. */
    @Override
    public synchronized void close() {
        if (heap != null) {
            heap.close();
        }
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} did not stop within {}: killing it [pid: {}]", name, STOP_TIMEOUT, process.pid());
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
