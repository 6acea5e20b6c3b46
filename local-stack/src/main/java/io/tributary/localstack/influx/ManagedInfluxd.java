package io.tributary.localstack.influx;

import io.tributary.localstack.LocalStackException;
import io.tributary.localstack.support.ChildGuardian;
import io.tributary.localstack.support.FreePorts;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's {@code influxd} (InfluxDB 1.6) as a child process: configured by environment only, bound to loopback on
 * free ports, with its own data dir; started under a {@link ChildGuardian} so it never outlives this JVM.
 * {@link #start(Config)} returns once {@code /ping} answers.
 */
public final class ManagedInfluxd implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedInfluxd.class);
    private static final int START_ATTEMPTS = 3;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);

    /**
     * @param dataDir      influxd's meta, data and wal dirs and its log go here (created if missing)
     * @param removeOnExit a directory tree the guardian deletes after influxd stopped (normally the temp root that
     *                     contains {@code dataDir}), or {@code null} to keep everything
     * @param executable   the program name looked up on PATH, or an absolute path
     * @param startTimeout how long to wait for {@code /ping}
     */
    public record Config(Path dataDir, Path removeOnExit, String executable, Duration startTimeout) {
        public Config {
            Objects.requireNonNull(dataDir, "dataDir");
            if (executable == null || executable.isBlank()) {
                throw new IllegalArgumentException("executable must not be blank");
            }
            if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive");
            }
        }

        public static Config of(Path dataDir) {
            return new Config(dataDir, null, "influxd", Duration.ofSeconds(30));
        }

        public Config withRemoveOnExit(Path dir) {
            return new Config(dataDir, dir, executable, startTimeout);
        }
    }

    private final ChildGuardian guardian;
    private final URI url;
    private final HttpClient http;

    private ManagedInfluxd(ChildGuardian guardian, URI url, HttpClient http) {
        this.guardian = guardian;
        this.url = url;
        this.http = http;
    }

    public static ManagedInfluxd start(Config config) {
        Path executable = resolveExecutable(config.executable())
                .orElseThrow(() -> new LocalStackException(config.executable()
                        + " not found on PATH: install Debian's `influxdb` package (apt-get install -y influxdb)"));
        Path dataDir = config.dataDir().toAbsolutePath();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new LocalStackException("could not create influxd data dir " + dataDir, e);
        }
        Path logFile = dataDir.resolve("influxd.log");
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        LocalStackException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            List<Integer> ports = FreePorts.loopback(2);
            URI url = URI.create("http://127.0.0.1:" + ports.get(1));
            ChildGuardian guardian = ChildGuardian.start(
                    List.of(executable.toString(), "run", "-config", "/dev/null"),
                    environment(dataDir, ports.get(0), ports.get(1), System.getenv()), logFile,
                    config.removeOnExit());
            try {
                awaitPing(http, url, guardian, deadline, logFile);
                LOG.info("influxd ready [url: {}, pid: {}, dataDir: {}]", url,
                        guardian.child().map(ProcessHandle::pid).orElse(-1L), dataDir);
                return new ManagedInfluxd(guardian, url, http);
            } catch (LocalStackException e) {
                last = e;
                boolean retry = attempt < START_ATTEMPTS && System.nanoTime() < deadline
                        && tail(logFile).contains("address already in use");
                if (retry) {
                    // The next attempt runs in the same directory: don't let this guardian remove it.
                    guardian.keepDirectory();
                }
                guardian.close();
                if (!retry) {
                    break;
                }
                LOG.info("influxd lost a port race, retrying [attempt: {}]", attempt);
            } catch (RuntimeException e) {
                guardian.close();
                throw e;
            }
        }
        throw last;
    }

    /**
     * Go collects garbage when its heap has grown by {@code GOGC} percent since the last collection (default 100). At
     * 400 influxd used a fifth less CPU at 25,000 readings/s (0.10 against 0.12 and 0.13 cores, two back-to-back
     * pairs of pipeline runs), for a heap up to five times its live data instead of two.
     */
    static final String INFLUXD_GOGC = "400";

    /** influxd's environment; a {@code GOGC} already in {@code inherited} (ours) is left to apply. */
    static Map<String, String> environment(Path dataDir, int rpcPort, int httpPort, Map<String, String> inherited) {
        Map<String, String> environment = new HashMap<>(Map.ofEntries(
                Map.entry("INFLUXDB_REPORTING_DISABLED", "true"),
                Map.entry("INFLUXDB_BIND_ADDRESS", "127.0.0.1:" + rpcPort),
                Map.entry("INFLUXDB_META_DIR", dataDir.resolve("meta").toString()),
                Map.entry("INFLUXDB_DATA_DIR", dataDir.resolve("data").toString()),
                Map.entry("INFLUXDB_DATA_WAL_DIR", dataDir.resolve("wal").toString()),
                Map.entry("INFLUXDB_DATA_QUERY_LOG_ENABLED", "false"),
                Map.entry("INFLUXDB_HTTP_BIND_ADDRESS", "127.0.0.1:" + httpPort),
                Map.entry("INFLUXDB_HTTP_LOG_ENABLED", "false"),
                Map.entry("INFLUXDB_MONITOR_STORE_ENABLED", "false")));
        if (!inherited.containsKey("GOGC")) {
            environment.put("GOGC", INFLUXD_GOGC);
        }
        return environment;
    }

    private static void awaitPing(HttpClient http, URI url, ChildGuardian guardian, long deadline, Path logFile) {
        HttpRequest ping = HttpRequest.newBuilder(url.resolve("/ping")).timeout(Duration.ofSeconds(1)).GET().build();
        while (true) {
            if (!guardian.isChildAlive()) {
                throw new LocalStackException("influxd exited during startup; its log ends with:\n" + tail(logFile));
            }
            try {
                HttpResponse<Void> response = http.send(ping, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 204) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalStackException("interrupted while waiting for influxd", e);
            }
            if (System.nanoTime() > deadline) {
                throw new LocalStackException("influxd did not answer " + url + "/ping in time; its log ends with:\n"
                        + tail(logFile));
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalStackException("interrupted while waiting for influxd", e);
            }
        }
    }

    /** Resolves {@code name} the way the shell does ({@code command -v}), so PATH is honoured exactly as for a user. */
    static Optional<Path> resolveExecutable(String name) {
        if (name.contains(File.separator)) {
            Path path = Path.of(name);
            return Files.isRegularFile(path) && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        try {
            Process which = new ProcessBuilder("/bin/sh", "-c", "command -v -- \"$1\"", "sh", name)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            String out = new String(which.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (which.waitFor() != 0 || !out.startsWith("/")) {
                return Optional.empty();
            }
            Path path = Path.of(out);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        } catch (IOException e) {
            throw new LocalStackException("could not run /bin/sh to look up " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while looking up " + name, e);
        }
    }

    private static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Base URL of influxd's 1.x HTTP API, {@code http://127.0.0.1:PORT}. */
    public String url() {
        return url.toString();
    }

    /** The influxd process, while it runs. */
    public Optional<ProcessHandle> process() {
        return guardian.child();
    }

    /** {@code CREATE DATABASE} (a no-op if it exists). */
    public void createDatabase(String name) {
        String query = "CREATE DATABASE \"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        HttpRequest request = HttpRequest.newBuilder(url.resolve("/query"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("q=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200 || response.body().contains("\"error\"")) {
                throw new LocalStackException("influxd rejected " + query + ": HTTP " + response.statusCode() + " "
                        + response.body().trim());
            }
        } catch (IOException e) {
            throw new LocalStackException("could not reach influxd at " + url + " for " + query, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted during " + query, e);
        }
    }

    /** Stops influxd (SIGTERM, then SIGKILL) and lets the guardian remove its directory if it was given one. */
    @Override
    public void close() {
        guardian.close();
    }
}
