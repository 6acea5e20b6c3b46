package io.tributary.demo.bench;

import io.tributary.demo.measure.InfluxQl;
import io.tributary.demo.process.LocalHttp;
import io.tributary.demo.process.ServiceProcess;
import io.tributary.localstack.influx.ManagedInfluxd;
import io.tributary.localstack.support.FreePorts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The stack people already run, as {@code bench peers} compares it: Debian's Mosquitto (defaults, anonymous, on a
 * loopback port) → Node-RED with the flow of {@code deploy/peers} (MQTT-in QoS 1, protobufjs decode with our
 * {@code .proto}, join, node-red-contrib-influxdb's batch output) → the same {@code influxd} as our local stack. Each
 * is its own process, registered with the CPU account. {@code deploy/peers/setup.sh} installs Node-RED's npm packages
 * once into a cache directory.
 */
final class PeerStack implements BenchStack, AutoCloseable {

    static final String DATABASE = "telemetry";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final Path dir;
    private final CpuAccount cpu;
    private final LocalHttp http = new LocalHttp(Duration.ofSeconds(2));
    private Path modules;
    private Process mosquitto;
    private ManagedInfluxd influxd;
    private Process nodeRed;
    private InfluxQl influxQl;
    private int mqttPort;
    private int nodeRedPort;

    /** {@code root}: the project (holding {@code deploy/peers} and {@code proto}); {@code dir}: data and logs. */
    PeerStack(Path root, Path dir, CpuAccount cpu) {
        this.root = root;
        this.dir = dir;
        this.cpu = cpu;
    }

    void start(PrintStream out) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        out.println("Starting the peer stack (Mosquitto, influxd, Node-RED) ...");
        modules = install().resolve("node_modules");
        List<Integer> ports = FreePorts.loopback(2);
        mqttPort = ports.get(0);
        nodeRedPort = ports.get(1);
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + mqttPort + " 127.0.0.1\nallow_anonymous true\n");
        mosquitto = launch("mosquitto", List.of("/usr/sbin/mosquitto", "-c", conf.toString()), Map.of());
        cpu.register("mosquitto", mosquitto.pid());
        influxd = ManagedInfluxd.start(ManagedInfluxd.Config.of(dir.resolve("influxd")));
        influxd.createDatabase(DATABASE);
        influxQl = new InfluxQl(influxd.url(), DATABASE, "ns");
        influxd.process().ifPresent(p -> cpu.register("influxd", p.pid()));
        startNodeRed();
    }

    /** Runs the setup script (npm ci into the cache, once) and returns the install directory it prints. */
    private Path install() throws IOException, InterruptedException {
        Process setup = new ProcessBuilder(root.resolve("deploy/peers/setup.sh").toString())
                .redirectError(dir.resolve("setup.log").toFile()).start();
        String printed = new String(setup.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!setup.waitFor(10, TimeUnit.MINUTES) || setup.exitValue() != 0 || printed.isEmpty()) {
            throw new IllegalStateException("deploy/peers/setup.sh failed: see " + dir.resolve("setup.log"));
        }
        return Path.of(printed);
    }

    private void startNodeRed() throws InterruptedException {
        Map<String, String> env = Map.of("PEER_MODULES", modules.toString(),
                "PEER_PROTO", root.resolve("proto/src/main/proto/tributary/v1/telemetry.proto").toString(),
                "PEER_USER_DIR", dir.resolve("node-red").toString(),
                "PEER_HTTP_PORT", Integer.toString(nodeRedPort), "PEER_MQTT_PORT", Integer.toString(mqttPort),
                "PEER_INFLUX_PORT", Integer.toString(URI.create(influxd.url()).getPort()),
                "PEER_INFLUX_DB", DATABASE);
        nodeRed = launch("node-red", List.of("node", modules.resolve("node-red/red.js").toString(),
                "--settings", root.resolve("deploy/peers/settings.js").toString()), env);
        cpu.register("node-red", nodeRed.pid());
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (stats().isEmpty()) {
            if (!nodeRed.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("Node-RED did not start: see " + dir.resolve("node-red.log"));
            }
            Thread.sleep(200);
        }
    }

    private Process launch(String name, List<String> command, Map<String, String> env) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
        builder.environment().putAll(env);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    /** Node-RED's counters ({@code batches}, {@code readings} decoded, {@code writeErrors}); empty if it does not answer. */
    JsonObject stats() {
        String body = http.get(URI.create("http://127.0.0.1:" + nodeRedPort + "/stats"));
        return body.isEmpty() ? new JsonObject() : new JsonObject(body); // starting, stopped or killed: no figures
    }

    @Override
    public ServiceProcess startSimulator(String name, List<String> args) {
        ServiceProcess simulator = ServiceProcess.start(name,
                root.resolve("device-simulator/target/tributary-device-simulator.jar"), List.of(), args, dir);
        cpu.register("simulator", simulator.pid());
        return simulator;
    }

    @Override
    public List<String> fleetTarget() {
        return List.of("--mqtt-uri", mqttUri()); // Mosquitto as people run it: anonymous, nothing to provision
    }

    @Override
    public List<String> influxOptions() {
        // influxd 1.6 without authentication ignores the token; the simulator counts with InfluxQL
        return List.of("--influx-url", influxd.url(), "--influx-token", "unused", "--influx-bucket", DATABASE);
    }

    /**
     * The peer's counters in our sample's fields: readings and batches Node-RED decoded (where our gateway counts
     * what it accepted), points influxd was asked to write (where our processor counts points written) and the
     * difference as the backlog, in batches (our backlog is Kafka records, one per batch).
     */
    @Override
    public Sample sample(double t, String phase, Map<String, Double> cpuSeconds) {
        JsonObject stats = stats();
        double readings = stats.getDouble("readings", Double.NaN);
        double stored = Double.NaN;
        // SHOW STATS: the write module's columns, alphabetically: pointReq first
        for (JsonArray row : influxQl.query("SHOW STATS FOR 'write'")) {
            stored = row.getLong(0);
        }
        return new Sample(t, phase, readings, stats.getDouble("batches", Double.NaN), stored, Double.NaN,
                (readings - stored) / BenchOptions.READINGS_PER_BATCH, Double.NaN, cpuSeconds);
    }

    /** kill -9 of Node-RED, then the same Node-RED again (its MQTT session is persistent: clean session off). */
    void killNodeRedAndRestart() throws InterruptedException {
        nodeRed.destroyForcibly().waitFor();
        startNodeRed();
    }

    long nodeRedPid() {
        return nodeRed.pid();
    }

    long influxdPid() {
        return influxd.process().orElseThrow().pid();
    }

    String mqttUri() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    String influxUrl() {
        return influxd.url();
    }

    /** What ran: the versions each program reports. */
    Map<String, String> versions() throws IOException, InterruptedException {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("mosquitto", firstLine(List.of("/usr/sbin/mosquitto", "-h")));
        v.put("influxd", firstLine(List.of("influxd", "version")));
        v.put("node", firstLine(List.of("node", "--version")));
        for (String module : List.of("node-red", "node-red-contrib-influxdb", "protobufjs")) {
            v.put(module, new JsonObject(Files.readString(modules.resolve(module).resolve("package.json")))
                    .getString("version"));
        }
        return v;
    }

    private static String firstLine(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text.lines().findFirst().orElse("").strip();
    }

    @Override
    public void close() {
        Stream.of(nodeRed, mosquitto).filter(Objects::nonNull).forEach(p -> {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        });
        if (influxd != null) {
            influxd.close();
        }
    }
}
