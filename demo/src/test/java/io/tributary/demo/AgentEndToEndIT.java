package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.agent.Agent;
import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.config.AgentConfigFile;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.transport.PahoPublisher;
import io.tributary.localstack.net.TcpProxy;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.simulator.verify.InfluxVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge agent against the real gateway, Kafka and InfluxDB, with its uplink cut for a while: every reading it took
 * arrives, once, and its batch sequence has no gap.
 */
class AgentEndToEndIT {

    private static final String DEVICE = "agent-e2e-1";

    @TempDir
    Path dir;

    @Test
    void shouldDeliverEveryReadingAcrossAnUplinkOutage() throws Exception {
        try (Pipeline pipeline = Pipeline.start(PipelineOptions.defaults())) {
            // Given a provisioned device whose agent reaches the gateway through a link we can cut
            String secret = new String(pipeline.provision(List.of(DEVICE)).get(DEVICE), StandardCharsets.UTF_8);
            int gatewayPort = Integer.parseInt(pipeline.mqttServerUri().replaceAll(".*:", ""));
            try (TcpProxy uplink = new TcpProxy(gatewayPort)) {
                uplink.up();
                DiskOutbox outbox;
                Agent agent;
                AgentConfig config = agentConfig(uplink.uri(), secret);
                outbox = new DiskOutbox(config.stateDir(), config.outbox());
                agent = new Agent(config, outbox, new PahoPublisher(config.mqtt(), config.deviceId(),
                        config.statusTopic(), config.configTopic()));
                try {
                    agent.start();
                    awaitTrue("first batches acknowledged", () -> storedReadings(pipeline) > 0);

                    // When the uplink is down long enough for batches to pile up in the outbox, then back
                    uplink.down();
                    awaitTrue("batches buffered during the outage", () -> outbox.pendingCount() >= 5);
                    uplink.up();
                    awaitTrue("outbox drained after the outage", () -> outbox.pendingCount() == 0);
                } finally {
                    agent.close();
                }
            }

            // Then Kafka holds the batches 1..n without a gap and nothing was dropped,
            assertThat(pipeline.awaitProcessorCaughtUp(Duration.ofSeconds(60))).isTrue();
            TreeSet<Long> sequences = new TreeSet<>();
            Set<String> readings = new HashSet<>();
            for (ConsumerRecord<String, byte[]> record : telemetryOf(pipeline, DEVICE)) {
                ReadingBatch batch = ReadingBatch.parseFrom(record.value());
                sequences.add(batch.getBatchSeq());
                assertThat(batch.getDroppedReadings()).isZero();
                for (Reading reading : batch.getReadingsList()) {
                    readings.add(reading.getSensor() + "@" + reading.getEventTimeUnixNanos());
                }
            }
            assertThat(sequences.first()).isEqualTo(1);
            assertThat(sequences).hasSize((int) (long) sequences.last());
            // and InfluxDB holds every distinct reading exactly once
            assertThat(storedReadings(pipeline)).isEqualTo(readings.size());
        }
    }

    private AgentConfig agentConfig(String mqttUri, String secret) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("value"), "21.5\n");
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/loadavg"), "0.5 0.4 0.3 1/100 42\n");
        String yaml = """
                device: {id: %s}
                mqtt: {uri: "%s", backoff-initial: 100ms, backoff-max: 400ms, connect-timeout: 2s}
                batch: {max-age: 200ms, max-readings: 50}
                outbox: {dir: %s, max-bytes: 1MiB}
                sensors:
                  - {name: temperature, type: file, path: /value, interval: 100ms}
                  - {name: load1, type: load1, interval: 100ms}
                """.formatted(DEVICE, mqttUri, dir.resolve("state"));
        return AgentConfigFile.parse(yaml, new AgentConfigFile.Overrides(null, secret, null, null, root, null));
    }

    private static long storedReadings(Pipeline pipeline) {
        try (InfluxVerifier verifier = new InfluxVerifier(pipeline.influx())) {
            return verifier.storedReadingsPerDevice(DEVICE).getOrDefault(DEVICE, 0L);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> telemetryOf(Pipeline pipeline, String device) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "agent-e2e-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(pipeline.topics().telemetry()));
            int emptyPolls = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && (records.isEmpty() || emptyPolls < 3)) {
                int before = records.size();
                consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                    if (device.equals(record.key())) {
                        records.add(record);
                    }
                });
                emptyPolls = records.size() == before ? emptyPolls + 1 : 0;
            }
        }
        return records;
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(100);
        }
    }
}
