package io.tributary.demo.hostile;

import io.tributary.contract.registry.DeviceRegistryClient;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.localstack.support.FreePorts;
import io.tributary.processor.config.ProcessorConfig;
import io.tributary.simulator.provision.FleetProvisioner;
import io.tributary.simulator.verify.InfluxTarget;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline the hostile-device suite attacks: the local stack's Kafka and {@code influxd} in this JVM, the gateway
 * and the processor each from its built jar as its own process (registry authentication on, as {@code GatewayMain}
 * defaults), the processor writing to InfluxDB through an {@link InfluxFront}. A watchdog polls both services'
 * {@code /health/ready} and the gateway's heap for the whole run.
 */
public final class HostileCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostileCluster.class);
    public static final String PREFIX = ProcessorConfig.DEFAULT_TOPIC_PREFIX;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** The gateway's heap limit: an attack that makes it buffer without bound ends it (ExitOnOutOfMemoryError). */
    public static final int GATEWAY_HEAP_MB = 512;
    /** Connection slots: the honest fleet, the attackers' live connections and headroom, not thousands. */
    public static final int MAX_CONNECTIONS = 400;
    /** How long a connection may take to send CONNECT ({@code --connect-timeout}; the default is 30 s). */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final Path logs;
    private final LocalStack stack;
    private final InfluxFront influxFront;
    private final ServiceProcess gateway;
    private final ServiceProcess processor;
    private final int mqttPort;
    private final URI gatewayHttp;
    private final URI processorHttp;
    private final FleetProvisioner provisioner;
    private final KafkaProducer<String, byte[]> producer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Watchdog watchdog;
    private final long gatewayPid;
    private final long processorPid;

    private HostileCluster(Path logs, LocalStack stack, InfluxFront influxFront, ServiceProcess gateway,
            ServiceProcess processor, int mqttPort, URI gatewayHttp, URI processorHttp) {
        this.logs = logs;
        this.stack = stack;
        this.influxFront = influxFront;
        this.gateway = gateway;
        this.processor = processor;
        this.mqttPort = mqttPort;
        this.gatewayHttp = gatewayHttp;
        this.processorHttp = processorHttp;
        this.gatewayPid = gateway.pid();
        this.processorPid = processor.pid();
        this.provisioner = FleetProvisioner.connect(stack.kafkaBootstrapServers(), PREFIX, Map.of(),
                Duration.ofSeconds(30));
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.watchdog = new Watchdog();
    }

    /**
     * Starts everything; returns once both services answer ready.
     *
     * @param root the project directory (where the modules' jars are built)
     * @param logs where the services' output goes
     */
    public static HostileCluster start(Path root, Path logs) throws IOException, InterruptedException {
        Files.createDirectories(logs);
        LocalStack stack = LocalStack.start(LocalStackOptions.defaults());
        InfluxFront front = null;
        ServiceProcess gateway = null;
        ServiceProcess processor = null;
        try {
            stack.createTopics(2, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "device-status");
            front = InfluxFront.start(stack.influxUrl());
            List<Integer> ports = FreePorts.loopback(5);
            int mqttPort = ports.get(0);
            Path rules = logs.resolve("alert-rules.yaml");
            try (InputStream in = HostileCluster.class.getResourceAsStream("/demo-rules.yaml")) {
                Files.copy(in, rules, StandardCopyOption.REPLACE_EXISTING);
            }
            gateway = ServiceProcess.start("gateway", root.resolve("gateway/target/tributary-gateway.jar"),
                    List.of("-Xmx" + GATEWAY_HEAP_MB + "m", "-XX:+ExitOnOutOfMemoryError"), ports.get(3),
                    List.of("--kafka-bootstrap", stack.kafkaBootstrapServers(), "--mqtt-host", "127.0.0.1",
                            "--mqtt-port", Integer.toString(mqttPort), "--http-port", Integer.toString(ports.get(1)),
                            "--max-connections", Integer.toString(MAX_CONNECTIONS),
                            "--connect-timeout", CONNECT_TIMEOUT.toString()), logs);
            processor = ServiceProcess.start("processor",
                    root.resolve("cloud-processor/target/tributary-cloud-processor.jar"),
                    List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError"), ports.get(4),
                    List.of("--kafka-bootstrap", stack.kafkaBootstrapServers(), "--influx-url", front.url(),
                            "--influx-token", stack.influxToken(), "--influx-org", stack.influxOrg(),
                            "--influx-bucket", stack.influxBucket(), "--rules", rules.toString(),
                            "--http-port", Integer.toString(ports.get(2)),
                            // rollups of 10 s windows out 3 s after the window: the suite sees them flow
                            "--set", "rollups.grace=3s", "--set", "influx.gzip=false",
                            "--set", "streams.compression=none"), logs);
            URI gatewayHttp = URI.create("http://127.0.0.1:" + ports.get(1));
            URI processorHttp = URI.create("http://127.0.0.1:" + ports.get(2));
            HostileCluster cluster = new HostileCluster(logs, stack, front, gateway, processor, mqttPort,
                    gatewayHttp, processorHttp);
            try {
                cluster.awaitReady(gateway, gatewayHttp);
                cluster.awaitReady(processor, processorHttp);
                cluster.watchdog.start();
                return cluster;
            } catch (RuntimeException | InterruptedException e) {
                cluster.close();
                throw e;
            }
        } catch (RuntimeException | IOException | InterruptedException e) {
            for (AutoCloseable part : new AutoCloseable[] {processor, gateway, front}) {
                if (part != null) {
                    try {
                        part.close();
                    } catch (Exception ignored) {
                        // stopping what started is best effort
                    }
                }
            }
            stack.close();
            throw e;
        }
    }

    private void awaitReady(ServiceProcess service, URI base) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new IllegalStateException(service.name() + " exited at start: " + service.stderrTail());
            }
            if (ready(base)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(service.name() + " not ready within " + START_TIMEOUT + ": "
                + service.stderrTail());
    }

    boolean ready(URI base) {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/health/ready")).timeout(Duration.ofSeconds(2))
                    .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String mqttHost() {
        return "127.0.0.1";
    }

    public int mqttPort() {
        return mqttPort;
    }

    public String mqttUri() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    public String kafkaBootstrap() {
        return stack.kafkaBootstrapServers();
    }

    public InfluxTarget influx() {
        return new InfluxTarget(stack.influxUrl(), stack.influxToken(), stack.influxOrg(), stack.influxBucket());
    }

    public InfluxFront influxFront() {
        return influxFront;
    }

    public Path logs() {
        return logs;
    }

    ServiceProcess gateway() {
        return gateway;
    }

    ServiceProcess processor() {
        return processor;
    }

    public Watchdog watchdog() {
        return watchdog;
    }

    /** Registers devices with fresh secrets, as an operator does; returns each one's password. */
    public Map<String, byte[]> provision(List<String> deviceIds) throws InterruptedException {
        return provisioner.provision(deviceIds);
    }

    /** Stores a device's configuration, as an operator does with {@code ./tributary devices config ID FILE}. */
    public void setDeviceConfig(String deviceId, byte[] config) {
        try (DeviceRegistryClient registry = new DeviceRegistryClient(stack.kafkaBootstrapServers(), PREFIX, Map.of(),
                Duration.ofSeconds(30))) {
            registry.setConfig(deviceId, config);
        }
    }

    /** Writes {@code value} under {@code key} to {@code topic} (name without prefix), waiting for the ack. */
    public void produce(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(PREFIX + topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not write to " + PREFIX + topic, e);
        }
    }

    /** The gateway's CPU seconds so far. */
    public double gatewayCpuSeconds() {
        return gateway.cpuSeconds();
    }

    public String gatewayMetrics() {
        return get(gatewayHttp.resolve("/metrics"));
    }

    public String processorMetrics() {
        return get(processorHttp.resolve("/metrics"));
    }

    public String gatewayOutput() {
        return gateway.output();
    }

    public String processorOutput() {
        return processor.output();
    }

    /** Whether both services still run as the same processes they were started as. */
    public boolean servicesNeverRestarted() {
        return gateway.isAlive() && processor.isAlive() && gateway.pid() == gatewayPid
                && processor.pid() == processorPid;
    }

    public boolean gatewayAlive() {
        return gateway.isAlive();
    }

    public boolean processorAlive() {
        return processor.isAlive();
    }

    public boolean gatewayReady() {
        return ready(gatewayHttp);
    }

    public boolean processorReady() {
        return ready(processorHttp);
    }

    /** The gateway's heap in use after a full GC it is asked for: what it keeps, not garbage not yet collected. */
    public long gatewayHeapAfterGcBytes() {
        return gateway.heapUsedBytes(true);
    }

    private String get(URI uri) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * Sum of every sample of Prometheus metric {@code name} whose label set contains each of {@code labels} (e.g.
     * {@code reason="quota-exceeded"}); 0 if there is none.
     */
    public static double metric(String metricsText, String name, String... labels) {
        double sum = 0;
        for (String line : metricsText.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean matches = true;
            for (String label : labels) {
                matches &= line.contains(label);
            }
            if (matches) {
                try {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                } catch (NumberFormatException e) {
                    // not a sample line
                }
            }
        }
        return sum;
    }

    /** Runs InfluxQL against influxd directly (not through the front); the rows of the first series set. */
    public List<JsonArray> influxQuery(String influxQl) {
        String url = stack.influxDirectUrl() + "/query?db=" + stack.influxBucket() + "&epoch=ms&q="
                + URLEncoder.encode(influxQl, StandardCharsets.UTF_8);
        String body = get(URI.create(url));
        List<JsonArray> rows = new ArrayList<>();
        if (body.isEmpty()) {
            return rows;
        }
        JsonArray results = new JsonObject(body).getJsonArray("results", new JsonArray());
        for (Object result : results) {
            JsonArray series = ((JsonObject) result).getJsonArray("series", new JsonArray());
            for (Object one : series) {
                JsonArray values = ((JsonObject) one).getJsonArray("values", new JsonArray());
                values.forEach(row -> rows.add((JsonArray) row));
            }
        }
        return rows;
    }

    /** Rollups (10 s windows) of devices whose id starts with {@code devicePrefix}, window start at or after {@code from}. */
    public long rollupsSince(String devicePrefix, Instant from) {
        List<JsonArray> rows = influxQuery("SELECT count(\"count\") FROM \"rollups\" WHERE \"device\" =~ /^"
                + devicePrefix.replace("-", "\\-") + "/ AND \"window\" = '10s' AND time >= "
                + from.toEpochMilli() + "ms");
        return rows.isEmpty() || rows.get(0).getValue(1) == null ? 0 : rows.get(0).getLong(1);
    }

    /** Every record on the dead-letter topic so far. */
    public List<ConsumerRecord<String, byte[]>> deadLetters() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "hostile-dlq-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(PREFIX + "deadletter"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            int emptyPolls = 0;
            while (System.nanoTime() < deadline && emptyPolls < 4) {
                int before = records.size();
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                emptyPolls = records.size() == before && !consumer.assignment().isEmpty() ? emptyPolls + 1 : 0;
            }
        }
        return records;
    }

    public static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        watchdog.stop();
        for (AutoCloseable part : new AutoCloseable[] {producer, provisioner, gateway, processor, influxFront,
                stack}) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("Stopping a part of the hostile cluster failed", e);
            }
        }
    }

    /** One look at both services. */
    public record Check(Instant at, String phase, boolean gatewayReady, boolean processorReady, boolean gatewayAlive,
            boolean processorAlive, long gatewayHeapBytes) {
    }

    /**
     * Polls readiness every 500 ms and the gateway's heap every 2 s, labelling each look with the phase running
     * then, so a not-ready moment is attributed to the attack that caused it.
     */
    public final class Watchdog {
        private final List<Check> checks = new CopyOnWriteArrayList<>();
        private volatile String phase = "start";
        private volatile boolean running = true;
        private final Thread thread = new Thread(this::run, "hostile-watchdog");

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        public void phase(String name) {
            phase = name;
        }

        public List<Check> checks() {
            return List.copyOf(checks);
        }

        /** Looks in phases other than {@code except} in which a service was not ready or not alive. */
        public List<Check> failuresOutside(String... except) {
            List<String> excused = List.of(except);
            return checks.stream().filter(c -> !excused.contains(c.phase()))
                    .filter(c -> !(c.gatewayReady() && c.processorReady() && c.gatewayAlive() && c.processorAlive()))
                    .toList();
        }

        public long peakGatewayHeapBytes() {
            return checks.stream().mapToLong(Check::gatewayHeapBytes).max().orElse(-1);
        }

        void stop() {
            running = false;
            thread.interrupt();
        }

        private void run() {
            long lastHeap = 0;
            while (running) {
                long heap = -1;
                if (System.nanoTime() - lastHeap > TimeUnit.SECONDS.toNanos(2)) {
                    heap = gateway.heapUsedBytes(false);
                    lastHeap = System.nanoTime();
                }
                checks.add(new Check(Instant.now(), phase, ready(gatewayHttp), ready(processorHttp),
                        gateway.isAlive(), processor.isAlive(), heap));
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
