package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.mqtt.ReasonCodes;
import io.tributary.contract.Topics;
import io.tributary.contract.registry.DeviceRegistryClient;
import io.tributary.demo.process.LocalHttp;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.localstack.support.FreePorts;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.simulator.transport.PahoDeviceLink;
import io.tributary.simulator.verify.InfluxTarget;
import io.tributary.simulator.verify.InfluxVerifier;
import io.tributary.testing.batch.TestBatches;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pipeline on {@code ./tributary stack --secure}, with one broker and with three (replication factor 3,
 * min.insync.replicas 2, as {@code --secure --brokers 3}): the gateway and the processor in processes of their own, each
 * with nothing but its role's {@code --kafka-config} file (TLS + SCRAM, its ACLs), a device provisioned by the
 * operator role, and its readings reaching InfluxDB.
 */
class SecuredPipelineIT {
    private static final Topics TOPICS = Topics.defaults();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    @ParameterizedTest(name = "{0} broker(s)")
    @ValueSource(ints = {1, 3})
    void shouldCarryReadingsToInfluxWithEveryPartOnItsOwnRole(int brokers) throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "SecuredPipelineIT", "brokers-" + brokers));
        List<Process> services = new ArrayList<>();
        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().withKafkaSecure(true)
                .withKafkaBrokers(brokers))) {
            try {
                runPipeline(stack, logs, services);
            } finally { // the services stop before Kafka does
                services.forEach(Process::destroy);
                for (Process service : services) {
                    if (!service.waitFor(20, TimeUnit.SECONDS)) {
                        service.destroyForcibly();
                    }
                }
            }
        }
    }

    private static void runPipeline(LocalStack stack, Path logs, List<Process> services) throws Exception {
        Map<String, Path> roles = stack.secureKafka(TOPICS, 2);
        List<Integer> ports = FreePorts.loopback(3);
        services.add(start(logs, "gateway", "io.tributary.gateway.GatewayMain", "--kafka-config",
                roles.get("gateway").toString(), "--mqtt-host", "127.0.0.1", "--mqtt-port",
                ports.get(0).toString(), "--http-port", ports.get(1).toString()));
        services.add(start(logs, "processor", "io.tributary.processor.ProcessorMain", "--kafka-config",
                roles.get("processor").toString(), "--influx-url", stack.influxUrl(), "--influx-token",
                stack.influxToken(), "--influx-org", stack.influxOrg(), "--influx-bucket", stack.influxBucket(),
                "--http-port", ports.get(2).toString(), "--set", "influx.gzip=false"));
        awaitReady(ports.get(1), services.get(0));
        awaitReady(ports.get(2), services.get(1));

        // Given a device provisioned with the operator's role
        String device = "secure-1";
        String secret;
        try (DeviceRegistryClient registry = new DeviceRegistryClient(stack.kafkaBootstrapServers(),
                TOPICS.prefix(), load(roles.get("operator")), Duration.ofSeconds(30))) {
            secret = registry.provision(device);
        }

        // When it publishes a batch (the gateway learns the device from the registry it may read)
        long now = System.currentTimeMillis() * 1_000_000L;
        ReadingBatch batch = TestBatches.batch(device).seq(1).createdAt(now + 3)
                .add(3, i -> TestBatches.reading("temperature", 20 + i, now + i).setUnit("degC")).build();
        awaitAccepted(device, secret, batch, "tcp://127.0.0.1:" + ports.get(0));

        // Then its readings reach InfluxDB through the processor's role
        InfluxTarget influx = new InfluxTarget(stack.influxUrl(), stack.influxToken(), stack.influxOrg(),
                stack.influxBucket());
        Map<String, Long> stored = Map.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (InfluxVerifier verifier = new InfluxVerifier(influx)) {
            while (!stored.equals(Map.of(device, 3L)) && System.nanoTime() < deadline) {
                Thread.sleep(500);
                stored = verifier.storedReadingsPerDevice(device);
            }
        }
        assertThat(stored).as("stored readings; logs in %s", logs).containsExactly(Map.entry(device, 3L));
    }

    private static Process start(Path logs, String name, String mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile()).start();
    }

    private static void awaitReady(int httpPort, Process service) throws InterruptedException {
        LocalHttp http = new LocalHttp(Duration.ofSeconds(2));
        URI ready = URI.create("http://127.0.0.1:" + httpPort + "/health/ready");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!http.ok(ready)) {
            assertThat(service.isAlive()).as("service on port %d alive", httpPort).isTrue();
            assertThat(System.nanoTime()).as("ready within %s: %s", READY_TIMEOUT, ready).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** The gateway follows the registry asynchronously: a fresh device may be refused for a moment. */
    private static void awaitAccepted(String device, String secret, ReadingBatch batch, String uri) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (PahoDeviceLink link = new PahoDeviceLink(uri, device, secret.getBytes(StandardCharsets.UTF_8))) {
                link.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(link.publish("devices/" + device + "/telemetry", batch.toByteArray()).toCompletableFuture()
                        .get(15, TimeUnit.SECONDS).kind()).isEqualTo(ReasonCodes.Kind.ACCEPTED);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static Map<String, String> load(Path file) throws Exception {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        }
        Map<String, String> map = new java.util.HashMap<>();
        props.forEach((key, value) -> map.put(key.toString(), value.toString()));
        return map;
    }
}
