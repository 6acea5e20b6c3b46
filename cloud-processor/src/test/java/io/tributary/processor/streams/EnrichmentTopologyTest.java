package io.tributary.processor.streams;

import static io.tributary.processor.streams.ProcessorTopologyTest.T0;
import static io.tributary.processor.streams.ProcessorTopologyTest.reading;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.contract.metadata.DeviceLabels;
import io.tributary.processor.alert.RuleSet;
import io.tributary.processor.alert.RulesParser;
import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.AlertEvent.AlertState;
import io.tributary.proto.v1.DeviceHealth;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.Rollup;
import io.tributary.testing.batch.TestBatches;

/** The enrichment join: the device metadata topic as a global store, read by the rollup and alert processors. */
class EnrichmentTopologyTest {

    static final Map<String, String> MOTOR_AT_PLANT_3 = Map.of("site", "plant-3", "kind", "motor");

    @TempDir
    Path stateDir;

    final AtomicReference<RuleSet> rules = new AtomicReference<>(RuleSet.EMPTY);
    final AtomicLong invalidMetadata = new AtomicLong();
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> telemetry;
    TestInputTopic<String, byte[]> metadata;
    TestOutputTopic<String, byte[]> rollups;
    TestOutputTopic<String, byte[]> alerts;
    TestOutputTopic<String, byte[]> health;
    long batchSeq;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "enrichment-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        StreamsListener listener = new StreamsListener() {
            @Override
            public void invalidMetadata() {
                invalidMetadata.incrementAndGet();
            }
        };
        driver = new TopologyTestDriver(ProcessorTopology.build(TopologySettings.defaults("t."), rules::get, listener),
                props, Instant.ofEpochMilli(T0));
        telemetry = driver.createInputTopic("t.telemetry", new StringSerializer(), new ByteArraySerializer());
        metadata = driver.createInputTopic("t.device-metadata", new StringSerializer(), new ByteArraySerializer());
        rollups = driver.createOutputTopic("t.rollups", new StringDeserializer(), new ByteArrayDeserializer());
        alerts = driver.createOutputTopic("t.alerts", new StringDeserializer(), new ByteArrayDeserializer());
        health = driver.createOutputTopic("t.device-health", new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void shouldPutTheDeviceLabelsIntoItsRollupsWhileADeviceWithoutMetadataStillFlows() throws Exception {
        label("m1", MOTOR_AT_PLANT_3);
        send("m1", reading("temp", 20, T0 + 1_000));
        send("bare", reading("temp", 30, T0 + 1_000));

        driver.advanceWallClockTime(Duration.ofSeconds(40));

        assertThat(readRollups()).extracting(Rollup::getDeviceId, Rollup::getLabelsMap).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("m1", MOTOR_AT_PLANT_3),
                org.assertj.core.groups.Tuple.tuple("bare", Map.of()));
    }

    @Test
    void shouldPutTheLabelsTheDeviceHasAtEmissionIntoItsHealth() throws Exception {
        label("m1", Map.of("site", "plant-3"));
        send("m1", reading("temp", 20, T0 + 1_000));
        send("bare", reading("temp", 30, T0 + 1_000));
        label("m1", MOTOR_AT_PLANT_3);

        driver.advanceWallClockTime(TopologySettings.DEFAULT_HEALTH_INTERVAL);

        Map<String, Map<String, String>> labelsByDevice = new java.util.HashMap<>();
        for (byte[] bytes : health.readValuesToList()) {
            DeviceHealth h = DeviceHealth.parseFrom(bytes);
            labelsByDevice.put(h.getDeviceId(), h.getLabelsMap());
        }
        assertThat(labelsByDevice).isEqualTo(Map.of("m1", MOTOR_AT_PLANT_3, "bare", Map.of()));
    }

    @Test
    void shouldApplyALabelChangeFromTheNextRecordOn() throws Exception {
        useRules("rules: [{name: hot, sensor: temp, above: 80}]");
        label("m1", Map.of("site", "plant-3"));
        send("m1", reading("temp", 90, T0));
        assertThat(readAlerts()).singleElement().satisfies(e -> {
            assertThat(e.getState()).isEqualTo(AlertState.FIRING);
            assertThat(e.getLabelsMap()).isEqualTo(Map.of("site", "plant-3"));
        });

        label("m1", Map.of("site", "plant-4", "line", "b"));
        send("m1", reading("temp", 70, T0 + 1_000));

        assertThat(readAlerts()).singleElement().satisfies(e -> {
            assertThat(e.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(e.getLabelsMap()).isEqualTo(Map.of("site", "plant-4", "line", "b"));
        });
    }

    @Test
    void shouldSkipAndCountAnInvalidRecordAndKeepTheLabelsTheDeviceHad() throws Exception {
        label("m1", MOTOR_AT_PLANT_3);
        metadata.pipeInput("m1", "{not json".getBytes(StandardCharsets.UTF_8));
        metadata.pipeInput("m1", DeviceLabels.none("other").toJson()); // names another device than its key
        metadata.pipeInput(null, new DeviceLabels("m1", Map.of("site", "x"), Instant.EPOCH).toJson());
        assertThat(invalidMetadata).hasValue(3);

        send("m1", reading("temp", 20, T0 + 1_000));
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        assertThat(readRollups()).singleElement()
                .satisfies(r -> assertThat(r.getLabelsMap()).isEqualTo(MOTOR_AT_PLANT_3));
    }

    @Test
    void shouldForgetTheLabelsOfADeviceOnATombstone() throws Exception {
        label("m1", MOTOR_AT_PLANT_3);
        metadata.pipeInput("m1", (byte[]) null);

        send("m1", reading("temp", 20, T0 + 1_000));
        driver.advanceWallClockTime(Duration.ofSeconds(40));

        assertThat(readRollups()).singleElement().satisfies(r -> assertThat(r.getLabelsMap()).isEmpty());
        assertThat(invalidMetadata).hasValue(0);
    }

    @Test
    void shouldFireALabelScopedRuleForExactlyTheDevicesWithAllItsLabels() throws Exception {
        useRules("""
                rules:
                  - {name: motor_hot, device: "*", sensor: temp, above: 80, match: {site: plant-3, kind: motor}}
                  - {name: silent_motor, no-data-for: 60s, match: {kind: motor}}
                """);
        label("m1", MOTOR_AT_PLANT_3);
        label("p1", Map.of("site", "plant-3", "kind", "pump"));
        label("m2", Map.of("site", "plant-4", "kind", "motor"));
        for (String device : List.of("m1", "p1", "m2", "bare")) {
            send(device, reading("temp", 95, T0));
        }

        assertThat(readAlerts()).extracting(AlertEvent::getDeviceId, AlertEvent::getRule)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("m1", "motor_hot"));

        driver.advanceWallClockTime(Duration.ofSeconds(61));
        assertThat(readAlerts()).extracting(AlertEvent::getDeviceId, AlertEvent::getRule).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("m1", "silent_motor"),
                org.assertj.core.groups.Tuple.tuple("m2", "silent_motor"));
    }

    @Test
    void shouldStopSelectingADeviceWhoseLabelsNoLongerMatch() throws Exception {
        useRules("rules: [{name: motor_hot, sensor: temp, above: 80, match: {kind: motor}}]");
        label("d1", Map.of("kind", "pump"));
        send("d1", reading("temp", 95, T0));
        assertThat(alerts.isEmpty()).isTrue();

        label("d1", Map.of("kind", "motor"));
        send("d1", reading("temp", 96, T0 + 1_000));

        assertThat(readAlerts()).extracting(AlertEvent::getRule).containsExactly("motor_hot");
    }

    void useRules(String yaml) throws RulesParser.InvalidRulesException {
        rules.set(new RulesParser().parse(yaml));
    }

    void label(String device, Map<String, String> labels) {
        metadata.pipeInput(device, new DeviceLabels(device, labels, Instant.ofEpochMilli(T0)).toJson());
    }

    void send(String device, Reading... readings) {
        telemetry.pipeInput(device,
                TestBatches.batch(device).seq(++batchSeq).addAll(List.of(readings)).toByteArray());
    }

    List<Rollup> readRollups() throws Exception {
        List<Rollup> out = new java.util.ArrayList<>();
        for (byte[] bytes : rollups.readValuesToList()) {
            out.add(Rollup.parseFrom(bytes));
        }
        return out;
    }

    List<AlertEvent> readAlerts() throws Exception {
        List<AlertEvent> out = new java.util.ArrayList<>();
        for (byte[] bytes : alerts.readValuesToList()) {
            out.add(AlertEvent.parseFrom(bytes));
        }
        return out;
    }
}
