package io.tributary.demo.hostile;

import io.tributary.common.KafkaClientConfig;
import io.tributary.contract.Topics;
import io.tributary.demo.DemoRules;
import io.tributary.demo.measure.InfluxQl;
import io.tributary.demo.process.LocalHttp;
import io.tributary.demo.process.ServiceProcess;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.localstack.support.FreePorts;
import io.tributary.simulator.verify.InfluxTarget;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline the hostile-device suite attacks: the local stack's Kafka and {@code influxd} in this JVM, the gateway
 * and the processor each from its built jar as its own process (registry authentication on, as {@code GatewayMain}
 * defaults), the processor writing to InfluxDB through an {@link InfluxFront}. A {@link Watchdog} polls both
 * services' {@code /health/ready} and the gateway's heap for the whole run. {@code kafka}: provisioning, device
 * configuration and records written straight into Kafka; {@code influxQl}: what InfluxDB stored, read directly.
 */
public record HostileCluster(LocalStack stack, InfluxFront influxFront, ServiceProcess gateway,
        ServiceProcess processor, int mqttPort, URI gatewayHttp, URI processorHttp, HostileKafka kafka,
        InfluxQl influxQl, Watchdog watchdog) implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostileCluster.class);
    private static final Topics TOPICS = Topics.defaults();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String MQTT_HOST = "127.0.0.1";
    private static final LocalHttp HEALTH = new LocalHttp(Duration.ofSeconds(2));
    private static final LocalHttp METRICS = new LocalHttp(Duration.ofSeconds(5));
    /** The gateway's heap limit: an attack that makes it buffer without bound ends it (ExitOnOutOfMemoryError). */
    public static final int GATEWAY_HEAP_MB = 512;
    /** Connection slots: the honest fleet, the attackers' live connections and headroom, not thousands. */
    public static final int MAX_CONNECTIONS = 400;
    /** How long a connection may take to send CONNECT ({@code --connect-timeout}; the default is 30 s). */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

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
        HostileCluster cluster;
        try {
            stack.createTopics(2, TOPICS.ingest().toArray(String[]::new));
            front = InfluxFront.start(stack.influxUrl());
            List<Integer> ports = FreePorts.loopback(5);
            int mqttPort = ports.get(0);
            Path rules = DemoRules.copyTo(logs.resolve("alert-rules.yaml"));
            gateway = ServiceProcess.start("gateway", root.resolve("gateway/target/tributary-gateway.jar"),
                    List.of("-Xmx" + GATEWAY_HEAP_MB + "m", "-XX:+ExitOnOutOfMemoryError"), ports.get(3),
                    List.of("--kafka-bootstrap", stack.kafkaBootstrapServers(), "--mqtt-host", MQTT_HOST,
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
            cluster = new HostileCluster(stack, front, gateway, processor, mqttPort, gatewayHttp, processorHttp,
                    new HostileKafka(new KafkaClientConfig(stack.kafkaBootstrapServers(), java.util.Map.of()),
                            TOPICS.prefix()),
                    new InfluxQl(stack.influxDirectUrl(), stack.influxBucket(), "ms"),
                    new Watchdog(gateway, processor, () -> ready(gatewayHttp), () -> ready(processorHttp)));
        } catch (RuntimeException | IOException e) {
            closeAll(processor, gateway, front, stack);
            throw e;
        }
        try {
            gateway.awaitReady(HEALTH, cluster.gatewayHttp.resolve("/health/ready"), START_TIMEOUT);
            processor.awaitReady(HEALTH, cluster.processorHttp.resolve("/health/ready"), START_TIMEOUT);
            cluster.watchdog.start();
            return cluster;
        } catch (RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
    }

    /** The pipeline's Kafka topics (the default prefix, as the services default to). */
    public Topics topics() {
        return TOPICS;
    }

    public String mqttHost() {
        return MQTT_HOST;
    }

    public String mqttUri() {
        return "tcp://" + MQTT_HOST + ":" + mqttPort;
    }

    public InfluxTarget influx() {
        return new InfluxTarget(stack.influxUrl(), stack.influxToken(), stack.influxOrg(), stack.influxBucket());
    }

    /** Every record on the dead-letter topic so far. */
    public List<ConsumerRecord<String, byte[]>> deadLetters() {
        return kafka.readAll(TOPICS.deadLetter());
    }

    public String processorMetrics() {
        return METRICS.get(processorHttp.resolve("/metrics"));
    }

    /** Whether both services still run as the processes they were started as (nothing here restarts them). */
    public boolean servicesNeverRestarted() {
        return gateway.isAlive() && processor.isAlive();
    }

    public boolean gatewayReady() {
        return ready(gatewayHttp);
    }

    public boolean processorReady() {
        return ready(processorHttp);
    }

    private static boolean ready(URI service) {
        return HEALTH.ok(service.resolve("/health/ready"));
    }

    @Override
    public void close() {
        watchdog.stop();
        closeAll(kafka, gateway, processor, influxFront, stack);
    }

    /** Stops each part that started, going on when one fails. */
    private static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable part : parts) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                LOG.warn("Stopping a part of the hostile cluster failed", e);
            }
        }
    }
}
