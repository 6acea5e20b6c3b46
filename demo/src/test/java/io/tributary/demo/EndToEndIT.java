package io.tributary.demo;

import static io.tributary.testing.kafka.KafkaTestTopics.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.proto.v1.ReadingBatch;
import io.tributary.simulator.config.SimulatorConfig;
import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.ledger.DeviceLedger;
import io.tributary.simulator.transport.PahoDeviceLink;
import io.tributary.mqtt.PubAck;
import io.tributary.mqtt.ReasonCodes.Kind;
import io.tributary.simulator.transport.VertxMqttTransport;
import io.tributary.simulator.verify.InfluxVerifier;
import io.tributary.testing.batch.TestBatches;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole pipeline on the local stack: real MQTT, real Kafka, real InfluxDB. */
class EndToEndIT {

    private static Pipeline pipeline;

    @BeforeAll
    static void startPipeline() {
        pipeline = Pipeline.start(PipelineOptions.defaults());
    }

    @AfterAll
    static void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldStoreEveryPublishedReadingExactlyOnceWhileAMalformedDeviceIsRefused() throws Exception {
        // Given 50 devices publishing, and one more device that sends garbage in between
        SimulatorConfig config = new SimulatorConfig(pipeline.mqttServerUri(), 50, "e2e", 3,
                Duration.ofMillis(500), 4, 10, Duration.ofSeconds(30));
        // All provisioned in the gateway's registry; the fleet uses the simulator's non-blocking client, the bad
        // device Eclipse Paho.
        String badDevice = config.devicePrefix() + "bad";
        List<String> ids = new ArrayList<>(config.deviceIds());
        ids.add(badDevice);
        Map<String, byte[]> secrets = pipeline.provision(ids);
        Fleet fleet = new Fleet(config, new VertxMqttTransport(config.mqttServerUri(), secrets::get));
        List<PubAck> badAnswers = new ArrayList<>();
        try (PahoDeviceLink bad = new PahoDeviceLink(config.mqttServerUri(), badDevice,
                secrets.get(badDevice))) {
            fleet.start();
            bad.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
            awaitAcknowledgedBatchesPerDevice(fleet, 3);

            // When the bad device publishes a payload that is no batch, and a batch in another device's name
            badAnswers.add(publish(bad, "devices/" + badDevice + "/telemetry",
                    "{\"temperature\": 21.5}".getBytes(StandardCharsets.UTF_8)));
            badAnswers.add(publish(bad, "devices/" + badDevice + "/telemetry",
                    batch(config.deviceId(0), 1_000_000L).toByteArray()));
            awaitAcknowledgedBatchesPerDevice(fleet, 8);
        } finally {
            assertThat(fleet.stop(Duration.ofSeconds(30))).as("every batch settled").isTrue();
        }

        // Then the bad device got "payload format invalid" both times
        assertThat(badAnswers).extracting(PubAck::reasonCode).containsExactly(0x99, 0x99);

        // And every acknowledged reading of every good device is stored exactly once
        assertThat(pipeline.awaitProcessorCaughtUp(Duration.ofSeconds(60))).as("processor caught up").isTrue();
        Map<String, Long> expected = new TreeMap<>();
        fleet.ledger().snapshot().forEach((device, counts) -> expected.put(device, counts.publishedReadings()));
        assertThat(expected).hasSize(50).allSatisfy((device, readings) -> assertThat(readings).isGreaterThan(0));
        assertThat(fleet.ledger().totals().rejectedReadings()).isZero();
        try (InfluxVerifier verifier = new InfluxVerifier(pipeline.influx())) {
            assertThat(verifier.storedReadingsPerDevice(config.devicePrefix())).isEqualTo(expected);
        }

        // And the garbage went to the dead-letter topic with its reason, never to storage
        List<ConsumerRecord<String, byte[]>> deadLetters = readAll(pipeline.topics().deadLetter());
        assertThat(deadLetters).filteredOn(record -> badDevice.equals(record.key())).hasSize(2)
                .allSatisfy(record -> assertThat(header(record, "tributary.reason")).isNotBlank());
    }

    @Test
    void shouldRefuseADeviceThatIsNotProvisioned() {
        try (PahoDeviceLink stranger = new PahoDeviceLink(pipeline.mqttServerUri(), "stranger-1",
                "guess".getBytes(StandardCharsets.UTF_8))) {
            assertThatThrownBy(() -> stranger.connect().toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(org.eclipse.paho.mqttv5.common.MqttException.class);
        }
    }

    @Test
    void shouldStoreARedeliveredBatchOnce() throws Exception {
        // Given a device whose PUBACK got lost, so it sends the same batch again
        String device = "redelivery-1";
        // event times of now: the gateway's input contract refuses readings older than 30 days
        ReadingBatch batch = batch(device, System.currentTimeMillis() * 1_000_000L);
        byte[] secret = pipeline.provision(List.of(device)).get(device);
        try (PahoDeviceLink connection = new PahoDeviceLink(pipeline.mqttServerUri(), device, secret)) {
            connection.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);

            // When both copies are acknowledged
            assertThat(publish(connection, "devices/" + device + "/telemetry", batch.toByteArray()).kind())
                    .isEqualTo(Kind.ACCEPTED);
            assertThat(publish(connection, "devices/" + device + "/telemetry", batch.toByteArray()).kind())
                    .isEqualTo(Kind.ACCEPTED);
        }

        // Then InfluxDB holds each reading once
        assertThat(pipeline.awaitProcessorCaughtUp(Duration.ofSeconds(60))).isTrue();
        try (InfluxVerifier verifier = new InfluxVerifier(pipeline.influx())) {
            assertThat(verifier.storedReadingsPerDevice(device)).containsExactly(Map.entry(device, 3L));
        }
    }

    private static ReadingBatch batch(String device, long firstEventTime) {
        return TestBatches.batch(device).seq(1).createdAt(firstEventTime + 3)
                .add(3, i -> TestBatches.reading("temperature", 20 + i, firstEventTime + i).setUnit("degC")).build();
    }

    private static PubAck publish(PahoDeviceLink connection, String topic, byte[] payload)
            throws Exception {
        return connection.publish(topic, payload).toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    private static void awaitAcknowledgedBatchesPerDevice(Fleet fleet, long batches) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Map<String, DeviceLedger.Snapshot> snapshot = fleet.ledger().snapshot();
            if (snapshot.size() == fleet.deviceCount()
                    && snapshot.values().stream().allMatch(s -> s.publishedBatches() >= batches)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("devices did not get " + batches + " batches acknowledged within 60 s: "
                + fleet.ledger().totals());
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int emptyPolls = 0;
            while (System.nanoTime() < deadline && (records.isEmpty() || emptyPolls < 3)) {
                int before = records.size();
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                emptyPolls = records.size() == before ? emptyPolls + 1 : 0;
            }
        }
        return records;
    }
}
