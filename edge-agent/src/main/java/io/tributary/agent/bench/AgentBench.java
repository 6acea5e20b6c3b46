package io.tributary.agent.bench;

import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.outbox.OutboxSettings;
import io.tributary.common.ProcessCpu;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The agent's footprint benchmark ({@code ./tributary bench agent --out DIR}): installs the agent with install.sh into a
 * temp prefix (the installed JVM flags and AppCDS archive), runs it with 10 sensors at 1 Hz against Debian's Mosquitto,
 * and measures steady-state RSS, CPU % of one core, time from JVM start to the first PUBACK, and RSS with a full
 * outbox (gateway unreachable). Writes {@code DIR/agent-bench.json}. Needs {@code /usr/sbin/mosquitto}.
 *
 * <pre>java -cp edge-agent/target/tributary-edge-agent.jar io.tributary.agent.bench.AgentBench --out DIR
 *     [--seconds 30] [--install-script edge-agent/install.sh] [--jar edge-agent/target/tributary-edge-agent.jar]</pre>
 */
public final class AgentBench {

    private static final Pattern FIRST_ACK = Pattern.compile("First batch acknowledged");
    private static final String USAGE = "usage: AgentBench --out DIR [--seconds N] [--install-script F] [--jar F]";
    static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

    /** A program the benchmark starts, and the Debian package that has it. */
    record Tool(String name, Path path, String debianPackage) {
    }

    /** The benchmark cannot run here; the message is the one line the user sees. */
    static final class BenchException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int exitCode;

        BenchException(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    private AgentBench() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (BenchException e) {
            System.err.println("agent bench: " + e.getMessage());
            System.exit(e.exitCode);
        }
    }

    private static void run(String[] args) throws Exception {
        Path out = null;
        int seconds = 30;
        Path script = Path.of("edge-agent/install.sh");
        Path jar = Path.of("edge-agent/target/tributary-edge-agent.jar");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!List.of("--out", "--seconds", "--install-script", "--jar").contains(option)) {
                throw new BenchException(2, USAGE);
            }
            if (i + 1 >= args.length) {
                throw new BenchException(2, option + " needs a value; " + USAGE);
            }
            String value = args[++i];
            switch (option) {
                case "--out" -> out = Path.of(value);
                case "--seconds" -> seconds = positive(option, value);
                case "--install-script" -> script = Path.of(value);
                default -> jar = Path.of(value);
            }
        }
        if (out == null) {
            throw new BenchException(2, "--out DIR is required; " + USAGE);
        }
        requireTools(List.of(new Tool("mosquitto", MOSQUITTO, "mosquitto"),
                new Tool("java", javaOnPath(), "openjdk-17-jre-headless"),
                new Tool("the agent's install script", script, null),
                new Tool("the agent's jar", jar, null)));
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("agent-bench");
        Process broker = null;
        try {
            int port = freePort();
            Files.writeString(work.resolve("mosquitto.conf"), "listener " + port + " 127.0.0.1\nallow_anonymous true\n");
            broker = new ProcessBuilder("/usr/sbin/mosquitto", "-c", work.resolve("mosquitto.conf").toString())
                    .redirectErrorStream(true).redirectOutput(work.resolve("mosquitto.log").toFile()).start();
            awaitPort(port);

            Path prefix = work.resolve("prefix");
            Path config = work.resolve("agent.yaml");
            Files.writeString(config, config("tcp://127.0.0.1:" + port, prefix.resolve("var/lib/tributary-agent")));
            exec(List.of(script.toString(), "--prefix", prefix.toString(), "--no-systemd", "--jar", jar.toString(),
                    "--config", config.toString()));
            Path opt = prefix.resolve("opt/tributary-agent");
            List<String> flags = Files.readAllLines(opt.resolve("jvm.options"));
            List<String> command = new ArrayList<>(List.of("java"));
            command.addAll(flags);
            command.addAll(List.of("-jar", opt.resolve("tributary-edge-agent.jar").toString(), "--config",
                    prefix.resolve("etc/tributary/agent.yaml").toString()));

            // 1) steady state, 10 sensors x 1 Hz, gateway reachable. Start-up is timed here, from launching the
            // process to reading the agent's first-PUBACK line: the agent's own "ms since JVM start" rests on
            // ProcessHandle's start instant, whose boot-time base (/proc/stat btime) has whole-second resolution.
            long launched = System.nanoTime();
            Process agent = new ProcessBuilder(command).redirectErrorStream(true).start();
            long startupMs = (firstAckNanos(agent, work.resolve("agent-steady.log")) - launched) / 1_000_000;
            Thread.sleep(10_000); // warm-up
            double cpu0 = ProcessCpu.cpuSeconds(agent.pid());
            long t0 = System.nanoTime();
            DoubleSummaryStatistics rss = rssEverySecond(agent.pid(), seconds);
            double cpu1 = ProcessCpu.cpuSeconds(agent.pid());
            double elapsed = (System.nanoTime() - t0) / 1e9;
            double cpuPct = (cpu1 - cpu0) * 100.0 / elapsed;
            stop(agent);

            // 2) full outbox, gateway unreachable
            Path stateDir = prefix.resolve("var/lib/tributary-agent");
            long outboxBytes = fill(stateDir);
            List<String> offline = new ArrayList<>(command);
            offline.addAll(List.of("--mqtt-uri", "tcp://127.0.0.1:" + freePort()));
            Process full = new ProcessBuilder(offline).redirectErrorStream(true)
                    .redirectOutput(work.resolve("agent-full.log").toFile()).start();
            Thread.sleep(15_000);
            DoubleSummaryStatistics rssFull = rssEverySecond(full.pid(), 5);
            stop(full);

            String json = String.format(Locale.ROOT, """
                    {
                      "rss_mb_steady": %.1f,
                      "rss_mb_steady_max": %.1f,
                      "rss_mb_full_outbox": %.1f,
                      "startup_ms": %d,
                      "cpu_pct": %.2f,
                      "sensors": 10,
                      "sample_hz": 1,
                      "measured_seconds": %d,
                      "outbox_bytes_full": %d,
                      "jvm_flags": "%s",
                      "peer": "Debian mosquitto (MQTT 5)",
                      "note": "a shared 2-core VM: figures move with whatever else runs"
                    }
                    """, rss.getAverage(), rss.getMax(), rssFull.getMax(), startupMs, cpuPct, seconds, outboxBytes,
                    String.join(" ", flags));
            Files.writeString(out.resolve("agent-bench.json"), json);
            System.out.print(json);
        } finally {
            if (broker != null) {
                broker.destroy();
                broker.waitFor(5, TimeUnit.SECONDS);
            }
            exec(List.of(script.toString(), "--prefix", work.resolve("prefix").toString(), "--no-systemd",
                    "--uninstall", "--purge"));
        }
    }

    /** Stops with one line naming the first missing tool and where it comes from, before anything is started. */
    static void requireTools(List<Tool> tools) throws BenchException {
        for (Tool tool : tools) {
            if (tool.path() == null || !Files.isRegularFile(tool.path())
                    || (tool.debianPackage() != null && !Files.isExecutable(tool.path()))) {
                String where = tool.path() == null ? "" : " (" + tool.path() + ")";
                throw new BenchException(1, tool.name() + where + " not found: " + (tool.debianPackage() != null
                        ? "install the Debian package " + tool.debianPackage() + " (sudo apt-get install -y "
                                + tool.debianPackage() + ")"
                        : "run it from the repository root after a build (mvn -pl edge-agent -am package)"));
            }
        }
    }

    /** The {@code java} the benchmark starts the agent with (the one on PATH, as install.sh uses), or null. */
    private static Path javaOnPath() {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(dir -> Path.of(dir.isEmpty() ? "." : dir, "java")).filter(Files::isExecutable).findFirst()
                .orElse(null);
    }

    private static int positive(String option, String value) throws BenchException {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new BenchException(2, option + " must be a positive whole number, got '" + value + "'");
    }

    static String config(String uri, Path stateDir) {
        return """
                device: {id: bench-agent}
                mqtt: {uri: "%s"}
                batch: {max-age: 10s}
                outbox: {dir: %s, max-bytes: 16MiB}
                defaults: {interval: 1s}
                sensors:
                  - {name: cpu, type: cpu}
                  - {name: load1, type: load1}
                  - {name: load5, type: load5}
                  - {name: load15, type: load15}
                  - {name: memory, type: memory}
                  - {name: disk, type: disk, path: /}
                  - {name: uptime, type: uptime}
                  - {name: lo_rx, type: net-rx-bytes, interface: lo}
                  - {name: lo_tx, type: net-tx-bytes, interface: lo}
                  - {name: hostname_len, type: file, path: /proc/sys/kernel/pid_max}
                """.formatted(uri, stateDir);
    }

    /** Fills the outbox to its bound with 10-sensor x 10 s batches (what an outage leaves behind). */
    private static long fill(Path stateDir) {
        OutboxSettings settings = new OutboxSettings(16L * 1024 * 1024, 0, OutboxSettings.FsyncPolicy.NEVER,
                Duration.ofSeconds(1), OutboxSettings.OverflowPolicy.DROP_OLDEST);
        try (DiskOutbox outbox = new DiskOutbox(stateDir, settings)) {
            long t = System.currentTimeMillis() * 1_000_000L;
            while (outbox.droppedReadingsTotal() == 0) {
                ReadingBatch.Builder b = ReadingBatch.newBuilder().setDeviceId("bench-agent")
                        .setBatchSeq(outbox.nextSequence()).setCreatedAtUnixNanos(t);
                for (int i = 0; i < 100; i++) {
                    b.addReadings(Reading.newBuilder().setSensor("sensor" + (i % 10)).setUnit("%")
                            .setValue(i * 1.5).setEventTimeUnixNanos(t++));
                }
                ReadingBatch batch = b.build();
                outbox.append(batch.getBatchSeq(), batch.getReadingsCount(), batch.toByteArray());
            }
            outbox.sync();
            return outbox.sizeBytes();
        }
    }

    /** Copies the agent's output to {@code log}; returns when it logs its first PUBACK (System.nanoTime()). */
    private static long firstAckNanos(Process agent, Path log) throws InterruptedException, BenchException {
        CompletableFuture<Long> first = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(agent.getInputStream(),
                    StandardCharsets.UTF_8)); var w = Files.newBufferedWriter(log)) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.write(line);
                    w.newLine();
                    w.flush();
                    if (!first.isDone() && FIRST_ACK.matcher(line).find()) {
                        first.complete(System.nanoTime());
                    }
                }
            } catch (IOException e) {
                first.completeExceptionally(e);
            }
            first.completeExceptionally(new IllegalStateException("the agent exited before its first PUBACK; see " + log));
        }, "bench-agent-log");
        t.setDaemon(true);
        t.start();
        try {
            return first.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new BenchException(1, e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new BenchException(1, "the agent had no batch acknowledged within 30 s; see " + log);
        }
    }

    /** The process's resident set in MB, sampled once a second. */
    private static DoubleSummaryStatistics rssEverySecond(long pid, int seconds) throws IOException,
            InterruptedException {
        DoubleSummaryStatistics rss = new DoubleSummaryStatistics();
        for (int s = 0; s < seconds; s++) {
            Thread.sleep(1000);
            String line = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .orElseThrow(() -> new IOException("no VmRSS for " + pid));
            rss.accept(Long.parseLong(line.replaceAll("\\D", "")) / 1024.0);
        }
        return rss;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private static void exec(List<String> command) throws IOException, InterruptedException, BenchException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new BenchException(1, command.get(0) + " failed: " + output.strip());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port) throws InterruptedException, BenchException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new BenchException(1, "mosquitto did not start on port " + port + " (see its log in the work directory)");
    }
}
