package io.tributary.demo.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.MemoryMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pipeline service (gateway, processor) as its own JVM, started from its built jar: its CPU time is its own in
 * {@code /proc/PID/stat}, its heap is read over a loopback-only JMX port, and a restart would show as a new pid or a
 * dead process. Output goes to {@code NAME.out} / {@code NAME.err} in the log directory.
 */
final class ServiceProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);
    private static final long USER_HZ = 100;

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final int jmxPort;
    private JMXConnector jmx;

    private ServiceProcess(String name, Process process, Path stdout, Path stderr, int jmxPort) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.jmxPort = jmxPort;
    }

    /** {@code java [jvmOptions] (JMX on jmxPort) -jar jar args}. */
    static ServiceProcess start(String name, Path jar, List<String> jvmOptions, int jmxPort, List<String> args,
            Path logDir) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (mvn package, or ./tributary build)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
                "-Dcom.sun.management.jmxremote.local.only=true"));
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        Path out = logDir.resolve(name + ".out");
        Path err = logDir.resolve(name + ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            LOG.info("Started {} [pid: {}, command: {}]", name, process.pid(), String.join(" ", command));
            return new ServiceProcess(name, process, out, err, jmxPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Everything it wrote to stdout and stderr so far. */
    String output() {
        return read(stdout) + read(stderr);
    }

    String stderrTail() {
        List<String> lines = read(stderr).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** User plus system CPU seconds the process used so far; NaN once it is gone. */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime is field 14, stime field 15
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) USER_HZ;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The heap in use now, in bytes (optionally after asking for a full GC); -1 when JMX does not answer. */
    synchronized long heapUsedBytes(boolean afterGc) {
        try {
            if (jmx == null) {
                jmx = JMXConnectorFactory.connect(new JMXServiceURL(
                        "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"));
            }
            MBeanServerConnection connection = jmx.getMBeanServerConnection();
            MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(connection,
                    ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
            if (afterGc) {
                memory.gc();
            }
            return memory.getHeapMemoryUsage().getUsed();
        } catch (IOException | RuntimeException e) {
            LOG.debug("No heap reading from {}", name, e);
            closeJmx();
            return -1;
        }
    }

    private void closeJmx() {
        if (jmx != null) {
            try {
                jmx.close();
            } catch (IOException e) {
                // gone either way
            }
            jmx = null;
        }
    }

    @Override
    public synchronized void close() {
        closeJmx();
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
