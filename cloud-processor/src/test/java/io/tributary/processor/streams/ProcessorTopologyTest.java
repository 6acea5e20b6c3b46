package io.tributary.processor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.InvalidProtocolBufferException;

import io.tributary.processor.alert.RuleSet;
import io.tributary.processor.alert.RulesParser;
import io.tributary.proto.v1.AlertEvent.AlertState;
import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.proto.v1.Rollup;
import io.tributary.testing.batch.TestBatches;

/** The production topology ({@link ProcessorTopology#build}) driven with explicit event times and a mock wall clock. */
class ProcessorTopologyTest {

    /** A minute boundary: windows of 10 s and 1 min start here. */
    static final long T0 = 1_700_000_040_000L;

    @TempDir
    Path stateDir;

    final AtomicReference<RuleSet> rules = new AtomicReference<>(RuleSet.EMPTY);
    final AtomicLong late = new AtomicLong();
    final AtomicLong transitions = new AtomicLong();
    final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicLong beyondFuture = new AtomicLong();
    final AtomicLong sensorsSkipped = new AtomicLong();
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> telemetry;
    TestOutputTopic<String, byte[]> rollups;
    TestOutputTopic<String, byte[]> alerts;
    long batchSeq;

    @BeforeEach
    void start() {
        startDriver(Instant.ofEpochMilli(T0));
    }

    void startDriver(Instant wallClock) {
        startDriver(wallClock, TopologySettings.defaults("t."));
    }

    void startDriver(Instant wallClock, TopologySettings settings) {
        StreamsListener listener = new StreamsListener() {
            @Override
            public void lateReading() {
                late.incrementAndGet();
            }

            @Override
            public void contractViolation(String rule) {
                violations.add(rule);
            }

            @Override
            public void readingBeyondFuture() {
                beyondFuture.incrementAndGet();
            }

            @Override
            public void rollupSensorSkipped() {
                sensorsSkipped.incrementAndGet();
            }

            @Override
            public void alertTransition(AlertEvent event) {
                transitions.incrementAndGet();
            }
        };
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(ProcessorTopology.build(settings, rules::get, listener), props, wallClock);
        telemetry = driver.createInputTopic("t.telemetry", new StringSerializer(), new ByteArraySerializer());
        rollups = driver.createOutputTopic("t.rollups", new StringDeserializer(), new ByteArrayDeserializer());
        alerts = driver.createOutputTopic("t.alerts", new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // ---------------------------------------------------------------- rollups

    @Test
    void shouldEmitOneRollupPerWindowOnlyWhenTheWindowCloses() {
        send("d1", reading("temp", 20.0, T0 + 1_000));
        send("d1", reading("temp", 10.0, T0 + 2_000), reading("temp", 30.0, T0 + 3_000));
        send("d1", reading("temp", 25.0, T0 + 9_999));

        // Just before end (10 s) + grace (30 s): nothing yet, however many updates there were.
        driver.advanceWallClockTime(Duration.ofMillis(39_999));
        assertThat(rollups.isEmpty()).isTrue();

        driver.advanceWallClockTime(Duration.ofMillis(1));
        List<Rollup> emitted = readRollups();
        assertThat(emitted).hasSize(1);
        Rollup r = emitted.get(0);
        assertThat(r.getDeviceId()).isEqualTo("d1");
        assertThat(r.getSensor()).isEqualTo("temp");
        assertThat(r.getWindow()).isEqualTo("10s");
        assertThat(r.getWindowStartUnixNanos()).isEqualTo(T0 * 1_000_000L);
        assertThat(r.getWindowEndUnixNanos()).isEqualTo((T0 + 10_000) * 1_000_000L);
        assertThat(r.getCount()).isEqualTo(4);
        assertThat(r.getMin()).isEqualTo(10.0);
        assertThat(r.getMax()).isEqualTo(30.0);
        assertThat(r.getMean()).isEqualTo(21.25);
        assertThat(r.getLast()).isEqualTo(25.0);

        // The 1-minute window closes at 60 s + 30 s, once.
        driver.advanceWallClockTime(Duration.ofSeconds(49));
        assertThat(rollups.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        List<Rollup> minute = readRollups();
        assertThat(minute).singleElement().satisfies(m -> {
            assertThat(m.getWindow()).isEqualTo("1m");
            assertThat(m.getCount()).isEqualTo(4);
        });
        driver.advanceWallClockTime(Duration.ofMinutes(5));
        assertThat(rollups.isEmpty()).isTrue();
        assertThat(late.get()).isZero();
    }

    @Test
    void shouldKeepDevicesAndSensorsApartAndUseLastByEventTime() {
        send("d1", reading("temp", 1.0, T0 + 5_000), reading("temp", 2.0, T0 + 1_000), reading("hum", 50, T0));
        send("d2", reading("temp", 7.0, T0 + 3_000));
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        List<Rollup> emitted = readRollups();
        assertThat(emitted).extracting(r -> r.getDeviceId() + "/" + r.getSensor() + "=" + r.getCount())
                .containsExactlyInAnyOrder("d1/temp=2", "d1/hum=1", "d2/temp=1");
        assertThat(emitted).filteredOn(r -> r.getDeviceId().equals("d1") && r.getSensor().equals("temp"))
                .singleElement().satisfies(r -> assertThat(r.getLast()).isEqualTo(1.0));
    }

    @Test
    void shouldCloseWindowOfAQuietDeviceByWallClockAlone() {
        send("quiet", reading("temp", 3.0, T0 + 100));
        // No further record on any partition: only the wall clock moves.
        driver.advanceWallClockTime(Duration.ofSeconds(41));
        assertThat(readRollups()).extracting(Rollup::getWindow).containsExactly("10s");
    }

    @Test
    void shouldCountReadingsLaterThanGraceAndLeaveThemOutOfRollups() {
        send("d1", reading("temp", 1.0, T0 + 1_000));
        // Another reading moves the watermark (event time) to exactly end + grace of [T0, T0+10s): grace is exclusive.
        send("d1", reading("temp", 9.0, T0 + 40_000));
        assertThat(late.get()).isZero();
        send("d1", reading("temp", 100.0, T0 + 2_000));
        assertThat(late.get()).as("10s window closed; the 1m window is still open").isEqualTo(1);

        driver.advanceWallClockTime(Duration.ofMillis(500)); // punctuation: the 10 s window is closed
        List<Rollup> emitted = readRollups();
        assertThat(emitted).singleElement().satisfies(r -> {
            assertThat(r.getWindow()).isEqualTo("10s");
            assertThat(r.getCount()).isEqualTo(1);
            assertThat(r.getMax()).isEqualTo(1.0);
        });
        // A late reading does not reopen the emitted window.
        send("d1", reading("temp", 5.0, T0 + 3_000));
        driver.advanceWallClockTime(Duration.ofMinutes(3));
        assertThat(readRollups()).extracting(r -> r.getWindow() + "@" + r.getWindowStartUnixNanos() / 1_000_000_000L)
                .doesNotContain("10s@" + T0 / 1000);
    }

    @Test
    void shouldAcceptReadingOneMillisecondBeforeGraceEnds() {
        send("d1", reading("temp", 1.0, T0 + 39_999)); // watermark T0+39.999s: [T0, T0+10s) closes at T0+40s
        send("d1", reading("temp", 2.0, T0 + 9_999));
        assertThat(late.get()).isZero();
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        assertThat(readRollups()).filteredOn(r -> r.getWindowStartUnixNanos() == T0 * 1_000_000L
                && r.getWindow().equals("10s")).singleElement().satisfies(r -> assertThat(r.getCount()).isEqualTo(1));
    }

    @Test
    void shouldSkipInvalidRecordsWithoutFailing() {
        telemetry.pipeInput("d1", new byte[] {1, 2, 3});
        telemetry.pipeInput("d1", ReadingBatch.newBuilder().setDeviceId("other")
                .addReadings(reading("temp", 1, T0)).build().toByteArray());
        // A batch with a NaN breaks the contract: skipped whole (the readings writer dead-letters it whole).
        send("d1", reading("temp", Double.NaN, T0 + 1), reading("temp", 5.0, T0 + 2));
        send("d1", reading("", 1, T0 + 2), reading("temp", 6.0, T0 + 2));
        send("d1", reading("temp", 4.0, T0 + 3));
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        assertThat(readRollups()).singleElement().satisfies(r -> {
            assertThat(r.getCount()).isEqualTo(1);
            assertThat(r.getMean()).isEqualTo(4.0);
        });
        assertThat(violations).containsExactly("value_not_finite", "sensor_name_empty");
    }

    // ---------------------------------------------------------------- issue 17: no record can stop or freeze rollups

    @Test
    void shouldKeepTheMeanOfHugeFiniteValuesFinite() {
        send("big", reading("x", 1e308, T0 + 1), reading("x", 1e308, T0 + 2));
        send("mixed", reading("x", Double.MAX_VALUE, T0 + 1), reading("x", -Double.MAX_VALUE, T0 + 2),
                reading("x", Double.MAX_VALUE, T0 + 3));
        driver.advanceWallClockTime(Duration.ofSeconds(40));

        List<Rollup> emitted = readRollups();
        assertThat(emitted).filteredOn(r -> r.getDeviceId().equals("big")).singleElement().satisfies(r -> {
            assertThat(r.getMean()).isEqualTo(1e308);
            assertThat(r.getMax()).isEqualTo(1e308);
        });
        assertThat(emitted).filteredOn(r -> r.getDeviceId().equals("mixed")).singleElement().satisfies(r -> {
            assertThat(Double.isFinite(r.getMean())).isTrue();
            assertThat(r.getMean()).isCloseTo(Double.MAX_VALUE / 3, org.assertj.core.data.Percentage.withPercentage(1e-6));
        });
    }

    @Test
    void shouldNotLetOneFarFutureReadingFreezeTheRollupsOfItsPartition() {
        long year2200Ms = 7_258_118_400_000L;
        send("clock-broken", reading("temp", 1, year2200Ms));
        send("honest", reading("temp", 20, T0 + 1_000));
        driver.advanceWallClockTime(Duration.ofSeconds(40));

        assertThat(late.get()).isZero();
        assertThat(violations).containsExactly("event_time_in_future");
        assertThat(readRollups()).singleElement().satisfies(r -> assertThat(r.getDeviceId()).isEqualTo("honest"));
        KeyValueStore<String, Long> watermark = driver.getKeyValueStore(RollupProcessor.WATERMARK_STORE);
        assertThat(watermark.get("watermark")).isLessThanOrEqualTo(T0 + 40_000 + Duration.ofMinutes(5).toMillis());
    }

    @Test
    void shouldBoundEventTimeProgressEvenWithoutAContract() {
        driver.close();
        startDriver(Instant.ofEpochMilli(T0), TopologySettings.defaults("t.").withLimits(Duration.ofMinutes(5),
                1_000, 512 * 1024, io.tributary.processor.contract.TelemetryCheck.NONE));
        send("clock-broken", reading("temp", 1, 7_258_118_400_000L), reading("temp", 2, T0 + 500));
        send("honest", reading("temp", 20, T0 + 1_000));
        driver.advanceWallClockTime(Duration.ofSeconds(40));

        assertThat(beyondFuture.get()).isEqualTo(1);
        assertThat(late.get()).isZero();
        assertThat(readRollups()).extracting(Rollup::getDeviceId).containsExactlyInAnyOrder("clock-broken", "honest");
    }

    @Test
    void shouldSkipARecordWhoseProcessingThrowsWithTheEnginesExceptionHandlers() {
        driver.close();
        AtomicLong processingErrors = new AtomicLong();
        StreamsListener listener = new StreamsListener() {
            @Override
            public void processingError(String node) {
                processingErrors.incrementAndGet();
            }
        };
        // The engine's own properties: its processing exception handler, counting through the listener.
        Properties props = StreamsEngine.properties(new StreamsEngine.Settings(
                new io.tributary.common.KafkaClientConfig("unused:9092", java.util.Map.of()), "topology-test",
                stateDir, Duration.ofMillis(100), 1, java.util.Map.of()), stateDir);
        props.put(DataErrorHandlers.LISTENER_CONFIG, listener);
        java.util.concurrent.atomic.AtomicBoolean rulesBroken = new java.util.concurrent.atomic.AtomicBoolean(true);
        driver = new TopologyTestDriver(ProcessorTopology.build(TopologySettings.defaults("t."), () -> {
            if (rulesBroken.get()) {
                throw new IllegalStateException("a value nobody foresaw");
            }
            return RuleSet.EMPTY;
        }, listener), props, Instant.ofEpochMilli(T0));
        telemetry = driver.createInputTopic("t.telemetry", new StringSerializer(), new ByteArraySerializer());
        rollups = driver.createOutputTopic("t.rollups", new StringDeserializer(), new ByteArrayDeserializer());

        send("d1", reading("temp", 1, T0 + 1_000)); // the alert processor throws: skipped, not fatal
        rulesBroken.set(false);
        send("d1", reading("temp", 3, T0 + 2_000));
        driver.advanceWallClockTime(Duration.ofSeconds(40));

        assertThat(processingErrors.get()).isEqualTo(1);
        assertThat(readRollups()).singleElement().satisfies(r -> assertThat(r.getCount()).isGreaterThanOrEqualTo(1));
    }

    @Test
    void shouldKeepNoStateForADeviceIdLongerThanTheBound() {
        String huge = "d".repeat(ReadingsDecoder.MAX_DEVICE_ID_BYTES + 1);
        send(huge, reading("temp", 1, T0 + 1_000));
        send("d1", reading("temp", 2, T0 + 1_000));
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        assertThat(readRollups()).extracting(Rollup::getDeviceId).containsExactly("d1");
    }

    @Test
    void shouldDropAnUnreadableWindowEntryAndKeepClosingTheOthers() {
        send("d1", reading("temp", 1, T0 + 1_000));
        KeyValueStore<String, byte[]> windows = driver.getKeyValueStore(RollupProcessor.WINDOWS_STORE);
        // An entry no DeviceWindow can be read from, closing before d1's window.
        windows.put(RollupProcessor.key(T0 + 5_000, "10s", "broken"), new byte[] {0x7f, 0, 0, 0});
        driver.advanceWallClockTime(Duration.ofSeconds(40));

        assertThat(readRollups()).extracting(Rollup::getDeviceId).containsExactly("d1");
        assertThat(windows.get(RollupProcessor.key(T0 + 5_000, "10s", "broken"))).isNull();
    }

    @Test
    void shouldBoundTheSensorsOfOneDeviceWindowEntry() {
        driver.close();
        startDriver(Instant.ofEpochMilli(T0), TopologySettings.defaults("t.").withLimits(Duration.ofMinutes(5),
                3, 512 * 1024, io.tributary.processor.contract.TelemetryCheck.NONE));
        Reading[] readings = new Reading[5];
        for (int i = 0; i < readings.length; i++) {
            readings[i] = reading("s" + i, i, T0 + 1);
        }
        send("many", readings);
        send("many", reading("s0", 10, T0 + 2), reading("s9", 1, T0 + 3));
        driver.advanceWallClockTime(Duration.ofSeconds(40));

        assertThat(readRollups()).filteredOn(r -> r.getWindow().equals("10s")).extracting(Rollup::getSensor)
                .containsExactly("s0", "s1", "s2");
        assertThat(sensorsSkipped.get()).isEqualTo(3 * 2); // s3, s4, s9 in both window sizes
        KeyValueStore<String, byte[]> windows = driver.getKeyValueStore(RollupProcessor.WINDOWS_STORE);
        try (var it = windows.all()) {
            it.forEachRemaining(kv -> assertThat(
                    io.tributary.processor.rollup.DeviceWindow.fromBytes(kv.value).accumulators().size())
                    .isLessThanOrEqualTo(3));
        }
    }

    // ---------------------------------------------------------------- alerts

    @Test
    void shouldFireOnlyAfterTheBreachLastedForAndResolveWithHysteresis() throws Exception {
        useRules("""
                rules:
                  - name: hot
                    device: "pi-*"
                    sensor: cpu_*
                    above: 80
                    clear: 75
                    for: 10s
                    severity: critical
                """);
        send("pi-1", reading("cpu_temp", 85, T0));
        send("pi-1", reading("cpu_temp", 86, T0 + 9_999));
        assertThat(alerts.isEmpty()).as("pending, not firing, before 'for' elapsed").isTrue();
        send("pi-1", reading("cpu_temp", 87, T0 + 10_000));
        AlertEvent firing = readAlerts().get(0);
        assertThat(firing.getState()).isEqualTo(AlertState.FIRING);
        assertThat(firing.getRule()).isEqualTo("hot");
        assertThat(firing.getDeviceId()).isEqualTo("pi-1");
        assertThat(firing.getSensor()).isEqualTo("cpu_temp");
        assertThat(firing.getSeverity()).isEqualTo(AlertEvent.Severity.CRITICAL);
        assertThat(firing.getValue()).isEqualTo(87);
        assertThat(firing.getThreshold()).isEqualTo(80);
        assertThat(firing.getTransitionTimeUnixNanos()).isEqualTo((T0 + 10_000) * 1_000_000L);

        // Still above: no second event. Between clear and threshold: still firing (hysteresis).
        send("pi-1", reading("cpu_temp", 90, T0 + 11_000), reading("cpu_temp", 78, T0 + 12_000),
                reading("cpu_temp", 81, T0 + 13_000), reading("cpu_temp", 75.1, T0 + 14_000));
        assertThat(alerts.isEmpty()).isTrue();
        send("pi-1", reading("cpu_temp", 75, T0 + 15_000));
        AlertEvent resolved = readAlerts().get(0);
        assertThat(resolved.getState()).isEqualTo(AlertState.RESOLVED);
        assertThat(resolved.getThreshold()).isEqualTo(75);
        send("pi-1", reading("cpu_temp", 70, T0 + 16_000));
        assertThat(alerts.isEmpty()).isTrue();
        assertThat(transitions.get()).isEqualTo(2);
    }

    @Test
    void shouldNotFireWhenTheBreachEndsBeforeFor() throws Exception {
        useRules("""
                rules:
                  - {name: hot, sensor: temp, above: 80, for: 10s}
                """);
        send("d", reading("temp", 85, T0), reading("temp", 79, T0 + 5_000), reading("temp", 85, T0 + 6_000));
        send("d", reading("temp", 85, T0 + 15_000));
        assertThat(alerts.isEmpty()).as("the breach restarted at +6 s, only 9 s ago").isTrue();
        send("d", reading("temp", 85, T0 + 16_000));
        assertThat(readAlerts()).extracting(AlertEvent::getState).containsExactly(AlertState.FIRING);
    }

    @Test
    void shouldFireBelowRulesAndIgnoreOtherDevicesSensorsAndValuesInside() throws Exception {
        useRules("""
                rules:
                  - {name: cold, device: "room-?", sensor: temp, below: 5, clear: 8, severity: info}
                """);
        send("room-10", reading("temp", 1, T0));     // '?' is one character
        send("room-1", reading("hum", 1, T0));       // other sensor
        send("room-1", reading("temp", 5, T0));      // not below 5
        assertThat(alerts.isEmpty()).isTrue();
        send("room-1", reading("temp", 4.9, T0 + 1));
        send("room-1", reading("temp", 7.9, T0 + 2));
        send("room-1", reading("temp", 8, T0 + 3));
        assertThat(readAlerts()).extracting(e -> e.getState() + ":" + e.getSeverity())
                .containsExactly("FIRING:INFO", "RESOLVED:INFO");
    }

    @Test
    void shouldIgnoreReadingsOlderThanTheLastEvaluated() throws Exception {
        useRules("rules: [{name: hot, sensor: temp, above: 80}]");
        send("d", reading("temp", 90, T0 + 5_000));
        send("d", reading("temp", 10, T0 + 1_000)); // re-ordered old reading must not resolve
        assertThat(readAlerts()).extracting(AlertEvent::getState).containsExactly(AlertState.FIRING);
    }

    @Test
    void shouldFireNoDataRuleWhenADeviceGoesSilentAndResolveWhenItReturns() throws Exception {
        useRules("""
                rules:
                  - {name: silent, device: "pi-*", no-data-for: 60s, severity: warning}
                """);
        send("pi-1", reading("temp", 20, T0));
        send("other", reading("temp", 20, T0));
        driver.advanceWallClockTime(Duration.ofSeconds(59));
        assertThat(alerts.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        List<AlertEvent> fired = readAlerts();
        assertThat(fired).singleElement().satisfies(e -> {
            assertThat(e.getDeviceId()).isEqualTo("pi-1");
            assertThat(e.getRule()).isEqualTo("silent");
            assertThat(e.getState()).isEqualTo(AlertState.FIRING);
        });
        driver.advanceWallClockTime(Duration.ofMinutes(10));
        assertThat(alerts.isEmpty()).as("one event per transition").isTrue();

        send("pi-1", reading("temp", 21, T0 + 700_000));
        assertThat(readAlerts()).extracting(AlertEvent::getState).containsExactly(AlertState.RESOLVED);
    }

    @Test
    void shouldStoreLastSeenAtItsResolutionButCountSilenceFromTheLatestBatch() throws Exception {
        useRules("""
                rules:
                  - {name: silent, device: "pi-*", no-data-for: 60s, severity: warning}
                """);
        KeyValueStore<String, Long> stored = driver.getKeyValueStore(AlertProcessor.LAST_SEEN_STORE);
        send("pi-1", reading("temp", 20, T0));
        assertThat(stored.get("pi-1")).isEqualTo(T0);
        driver.advanceWallClockTime(Duration.ofMillis(AlertProcessor.LAST_SEEN_RESOLUTION_MS - 100));
        send("pi-1", reading("temp", 20, T0 + 900));
        assertThat(stored.get("pi-1")).as("no store write for a move under the resolution").isEqualTo(T0);

        // 60.4 s after the stored time but 59.5 s after the latest batch: not silent yet.
        driver.advanceWallClockTime(Duration.ofMillis(59_500));
        assertThat(alerts.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(500));
        assertThat(readAlerts()).extracting(AlertEvent::getState).containsExactly(AlertState.FIRING);

        send("pi-1", reading("temp", 21, T0 + 61_000));
        assertThat(stored.get("pi-1")).isEqualTo(T0 + 900 + 60_000);
    }

    @Test
    void shouldApplyNewRulesWithoutRestart() throws Exception {
        send("d", reading("temp", 90, T0));
        assertThat(alerts.isEmpty()).isTrue();
        useRules("rules: [{name: hot, sensor: temp, above: 80}]");
        send("d", reading("temp", 91, T0 + 1));
        assertThat(readAlerts()).hasSize(1);
    }

    // ---------------------------------------------------------------- helpers

    void useRules(String yaml) throws RulesParser.InvalidRulesException {
        rules.set(new RulesParser().parse(yaml));
    }

    void send(String device, Reading... readings) {
        telemetry.pipeInput(device,
                TestBatches.batch(device).seq(++batchSeq).addAll(List.of(readings)).toByteArray());
    }

    static Reading reading(String sensor, double value, long eventTimeMs) {
        return Reading.newBuilder().setSensor(sensor).setValue(value).setEventTimeUnixNanos(eventTimeMs * 1_000_000L)
                .build();
    }

    List<Rollup> readRollups() {
        return rollups.readValuesToList().stream().map(bytes -> {
            try {
                return Rollup.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    List<AlertEvent> readAlerts() {
        return alerts.readValuesToList().stream().map(bytes -> {
            try {
                return AlertEvent.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }
}
