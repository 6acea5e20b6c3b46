package io.tributary.demo;

import io.tributary.common.KafkaClientConfig;
import io.tributary.contract.Topics;
import io.tributary.contract.registry.DeviceRegistryClient;
import io.tributary.gateway.Gateway;
import io.tributary.gateway.GatewayConfig;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.localstack.kafka.KafkaCluster;
import io.tributary.processor.Processor;
import io.tributary.processor.config.AnalyticsConfig;
import io.tributary.processor.config.ProcessorConfig;
import io.tributary.simulator.verify.InfluxTarget;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole cloud side on one machine: the local stack's Kafka (and InfluxDB, unless an external one is given), a
 * gateway on a free port and a processor. What the demo runs and the end-to-end tests prove.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    private static final String WRITER_GROUP = "tributary-influx-writer";
    private static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(30);

    private final PipelineOptions options;
    private final LocalStack stack;
    private final InfluxTarget influx;
    private final Topics topics;
    private KafkaClientConfig kafka;
    private Gateway gateway;
    private DeviceRegistryClient registry;
    private Processor processor;
    private boolean closed;

    private Pipeline(PipelineOptions options, LocalStack stack, InfluxTarget influx) {
        this.options = options;
        this.stack = stack;
        this.influx = influx;
        this.topics = new Topics(options.topicPrefix());
    }

    /** Starts everything and returns once the gateway listens and the processor consumes. */
    public static Pipeline start(PipelineOptions options) {
        return start(options, 1);
    }

    /** As {@link #start(PipelineOptions)}, on {@code kafkaBrokers} brokers (more than one: each its own process). */
    public static Pipeline start(PipelineOptions options, int kafkaBrokers) {
        boolean ownInflux = options.externalInflux() == null;
        LocalStack stack = LocalStack.start(new LocalStackOptions(options.dataDir(), options.externalKafka() == null,
                ownInflux, ownInflux ? "telemetry" : options.externalInflux().bucket(), kafkaBrokers, false));
        InfluxTarget influx = ownInflux
                ? new InfluxTarget(stack.influxUrl(), stack.influxToken(), stack.influxOrg(), stack.influxBucket())
                : options.externalInflux();
        Pipeline pipeline = new Pipeline(options, stack, influx);
        try {
            pipeline.startServices();
            return pipeline;
        } catch (RuntimeException | Error e) {
            pipeline.close();
            throw e;
        }
    }

    private void startServices() {
        String prefix = options.topicPrefix();
        kafka = options.externalKafka();
        if (kafka == null) {
            kafka = new KafkaClientConfig(stack.kafkaBootstrapServers(), Map.of());
            stack.createTopics(options.partitions(), topics.ingest().toArray(String[]::new));
        }

        gateway = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .httpPort(0)
                .authentication(GatewayConfig.Authentication.REGISTRY)
                .kafkaBootstrapServers(kafka.bootstrap()).kafkaProperties(kafka.properties())
                .topicPrefix(prefix).build());
        gateway.start().toCompletableFuture().join();
        registry = new DeviceRegistryClient(kafka.bootstrap(), prefix, kafka.properties(), REGISTRY_TIMEOUT);

        processor = new Processor(ProcessorConfig.builder()
                .kafkaBootstrapServers(kafka.bootstrap()).kafkaProperties(kafka.properties())
                .topicPrefix(prefix)
                .consumerGroup(WRITER_GROUP)
                .influx(influx.url(), influx.token(), influx.org(), influx.bucket())
                .analytics(AnalyticsConfig.builder()
                        .rollups(List.of(Duration.ofSeconds(10), Duration.ofMinutes(1)), options.rollupGrace())
                        .alertRules(alertRulesFile(), Duration.ofSeconds(2))
                        .http("127.0.0.1", 0)
                        .influxGzip(!isLocal(influx.url()))
                        // Kafka is the local stack's, on this machine: compression would cost CPU and save nothing
                        .streamsCompression("none").build())
                // The fleet dashboard's site and kind variables filter by these tags
                .enrichmentTags(List.of("site", "kind"))
                .build());
        processor.start();
        LOG.info("Pipeline up [mqtt: {}, kafka: {}, influx: {}]", mqttServerUri(), kafka,
                influx.url());
    }

    /**
     * Whether InfluxDB runs on this machine: then compressing write requests costs CPU twice (gzip here, gunzip in
     * influxd: 9 % of the whole pipeline's CPU in a profile at 40,000 readings/s) and saves nothing.
     */
    static boolean isLocal(String url) {
        try {
            String host = URI.create(url).getHost();
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (IllegalArgumentException | UnknownHostException e) {
            return false;
        }
    }

    /** The given rules file, or the demo's own rules copied into the stack's data directory (editable there). */
    private Path alertRulesFile() {
        return options.alertRules() != null ? options.alertRules()
                : DemoRules.copyTo(stack.dataDir().resolve("alert-rules.yaml"));
    }

    public String mqttServerUri() {
        return "tcp://127.0.0.1:" + gateway.mqttPort();
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrap();
    }

    /** The Kafka cluster when the pipeline runs on broker processes (to kill one). */
    public Optional<KafkaCluster> kafkaCluster() {
        return stack.kafkaCluster();
    }

    public InfluxTarget influx() {
        return influx;
    }

    public Gateway gateway() {
        return gateway;
    }

    public Processor processor() {
        return processor;
    }

    /**
     * Provisions devices in the gateway's registry, as an operator does with {@code ./tributary devices add}, and
     * waits until the gateway knows them.
     *
     * @return each device's secret, to connect with
     */
    public Map<String, byte[]> provision(Collection<String> deviceIds) throws InterruptedException {
        return provision(deviceIds, Map.of());
    }

    /** {@link #provision(Collection)} with labels: device id → its labels (absent = none). */
    public Map<String, byte[]> provision(Collection<String> deviceIds, Map<String, Map<String, String>> labels)
            throws InterruptedException {
        Map<String, byte[]> passwords = new HashMap<>();
        registry.provisionAll(deviceIds, labels)
                .forEach((id, secret) -> passwords.put(id, secret.getBytes(StandardCharsets.UTF_8)));
        long deadline = System.nanoTime() + REGISTRY_TIMEOUT.toNanos();
        for (String id : deviceIds) {
            while (!gateway.knowsDevice(id)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the gateway did not learn device " + id + " within "
                            + REGISTRY_TIMEOUT);
                }
                Thread.sleep(50);
            }
        }
        return passwords;
    }

    /** The pipeline's Kafka topics. */
    public Topics topics() {
        return topics;
    }

    /**
     * Waits until the processor has stored and committed everything the gateway forwarded to Kafka so far.
     *
     * @return false if it did not catch up within {@code timeout}
     */
    public boolean awaitProcessorCaughtUp(Duration timeout) throws InterruptedException {
        try (ConsumerLag lag = new ConsumerLag(kafka)) {
            return lag.awaitZero(WRITER_GROUP, topics.telemetry(), timeout);
        }
    }

    /** Stops the gateway (draining its in-flight sends), the processor and the stack, in that order; each step bounded. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly("gateway", gateway);
        closeQuietly("device registry client", registry);
        closeQuietly("processor", processor);
        closeQuietly("local stack", stack);
    }

    private static void closeQuietly(String what, AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("Stopping the {} failed", what, e);
        }
    }
}
