package io.tributary.processor.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.InvalidProtocolBufferException;

import io.tributary.processor.alert.RuleSet;
import io.tributary.processor.contract.TelemetryCheck;
import io.tributary.processor.health.DeviceHealthState;
import io.tributary.proto.v1.DeviceHealth;
import io.tributary.testing.batch.TestBatches;

/**
 * The device health part of the production topology, driven with explicit arrival times (record timestamps), device
 * clocks (created_at) and a mock wall clock; exact counts.
 */
class DeviceHealthProcessorTest {

    static final long T0 = 1_700_000_040_000L;
    static final long HOUR = 3_600_000L;
    /** Transport delay of every batch unless a test says otherwise. */
    static final long DELAY = 50;

    @TempDir
    Path stateDir;

    final AtomicLong gapsTotal = new AtomicLong();
    final AtomicLong lateTotal = new AtomicLong();
    final AtomicLong duplicatesTotal = new AtomicLong();
    final AtomicLong restartsTotal = new AtomicLong();
    final Map<String, Integer> devicesWithGaps = new HashMap<>();
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> telemetry;
    TestOutputTopic<String, byte[]> health;
    long arrival = T0;

    @BeforeEach
    void start() {
        startDriver();
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    void startDriver() {
        StreamsListener listener = new StreamsListener() {
            @Override
            public void deviceHealthChange(DeviceHealthState.Change change) {
                gapsTotal.addAndGet(change.newGaps());
                lateTotal.addAndGet(change.late() ? 1 : 0);
                duplicatesTotal.addAndGet(change.duplicate() ? 1 : 0);
                restartsTotal.addAndGet(change.restart() ? 1 : 0);
            }

            @Override
            public void devicesWithGaps(String task, int devices) {
                devicesWithGaps.put(task, devices);
            }
        };
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "health-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // Clocks hours off must reach the health part: no contract here (the gateway's max-event-future would apply).
        TopologySettings settings = TopologySettings.defaults("t.").withLimits(Duration.ofHours(3), 1_000,
                512 * 1024, TelemetryCheck.NONE);
        driver = new TopologyTestDriver(ProcessorTopology.build(settings, () -> RuleSet.EMPTY, listener), props,
                Instant.ofEpochMilli(T0));
        telemetry = driver.createInputTopic("t.telemetry", new StringSerializer(), new ByteArraySerializer());
        health = driver.createOutputTopic("t.device-health", new StringDeserializer(), new ByteArrayDeserializer());
    }

    @Test
    void shouldCountAGapOfThreeThenFillItLateAndCountARepeatAsDuplicate() {
        sendSeqs("d1", 1, 2, 6);
        DeviceHealth first = emit().get("d1");
        assertThat(first.getGaps()).isEqualTo(3);
        assertThat(first.getLastSeq()).isEqualTo(6);
        assertThat(devicesWithGaps.values()).containsExactly(1);

        sendSeqs("d1", 4, 4, 2);
        DeviceHealth after = emit().get("d1");

        assertThat(after.getGaps()).as("3 and 5 still missing").isEqualTo(2);
        assertThat(after.getLate()).isEqualTo(1);
        assertThat(after.getDuplicates()).as("4 again, 2 again").isEqualTo(2);
        assertThat(after.getBatches()).isEqualTo(6);
        assertThat(after.getRestarts()).isZero();
        assertThat(new long[] {gapsTotal.get(), lateTotal.get(), duplicatesTotal.get()})
                .as("fleet counters: a fill counts as late, never as a negative gap").containsExactly(3, 1, 2);
    }

    @Test
    void shouldCountAReplayOfFiveSeenBatchesAsFiveDuplicatesAndTheirDropsOnce() {
        for (int seq = 1; seq <= 10; seq++) {
            send("d1", seq, createdFor(seq), seq == 5 ? 7 : 0);
        }
        // After an outage the device re-sends 4..8 as they were: same numbers, same creation times.
        for (int seq = 4; seq <= 8; seq++) {
            send("d1", seq, createdFor(seq), seq == 5 ? 7 : 0);
        }
        DeviceHealth h = emit().get("d1");

        assertThat(h.getDuplicates()).isEqualTo(5);
        assertThat(h.getGaps()).isZero();
        assertThat(h.getLate()).isZero();
        assertThat(h.getBatches()).isEqualTo(15);
        assertThat(h.getReportedDropped()).isEqualTo(7);
        assertThat(h.getLastSeq()).isEqualTo(10);
    }

    @Test
    void shouldCountACounterStartedOverAsARestartNotAsDuplicatesOrGaps() {
        sendSeqs("d1", 1, 2, 3, 4, 5);
        // The device lost its counter: 1, 2, 3 again, but new batches (created after batch 5).
        for (int seq = 1; seq <= 3; seq++) {
            send("d1", seq, createdFor(5 + seq), 0);
        }
        DeviceHealth h = emit().get("d1");

        assertThat(h.getRestarts()).isEqualTo(1);
        assertThat(h.getDuplicates()).isZero();
        assertThat(h.getGaps()).isZero();
        assertThat(h.getLastSeq()).isEqualTo(3);
        assertThat(h.getBatches()).isEqualTo(8);

        send("d1", 5, createdFor(10), 0);
        assertThat(emit().get("d1").getGaps()).as("4 is missing after the restart").isEqualTo(1);
        assertThat(restartsTotal.get()).isEqualTo(1);
    }

    @Test
    void shouldKeepAGapThatLeftTheWindowAndCountAnOldRepeatAsDuplicate() {
        sendSeqs("d1", 1, 3, 2_000);
        sendSeqs("d1", 2);
        DeviceHealth h = emit().get("d1");

        assertThat(h.getGaps()).as("2 and 4..1999: 2 is below the window now").isEqualTo(1 + 1_996);
        assertThat(h.getLate()).isZero();
        assertThat(h.getDuplicates()).isEqualTo(1);
        assertThat(h.getLastSeq()).isEqualTo(2_000);
    }

    @Test
    void shouldEstimateSkewOfPlusAndMinusTwoHoursAndTheBacklogAgeApart() {
        long skewed = 2 * HOUR;
        for (int seq = 1; seq <= 3; seq++) {
            arrival += 1_000;
            send("ahead", seq, arrival - DELAY + skewed, 0);
            send("behind", seq, arrival - DELAY - skewed, 0);
            send("on-time", seq, arrival - DELAY, 0);
        }
        Map<String, DeviceHealth> first = emit();
        assertThat(first.get("ahead").getSkewMs()).isEqualTo(skewed - DELAY);
        assertThat(first.get("behind").getSkewMs()).isEqualTo(-skewed - DELAY);
        assertThat(first.get("on-time").getSkewMs()).isEqualTo(-DELAY);
        assertThat(first.values()).allSatisfy(h -> assertThat(h.getLagMs()).isZero());

        // A backlog: a batch created a minute ago (device clock) arrives now, with a fresh one.
        arrival += 1_000;
        send("behind", 4, arrival - 60_000 - skewed, 0);
        send("behind", 5, arrival - DELAY - skewed, 0);
        DeviceHealth backlog = emit().get("behind");
        assertThat(backlog.getSkewMs()).as("the fresh batch holds the skew").isEqualTo(-skewed - DELAY);
        assertThat(backlog.getLagMs()).isEqualTo(60_000 - DELAY);
        assertThat(backlog.getLastBatchUnixMs()).isEqualTo(arrival);

        // Only old batches in an interval: the skew moves a quarter of the way, the lag shows the rest.
        arrival += 1_000;
        send("behind", 6, arrival - 40_000 - skewed, 0);
        DeviceHealth drained = emit().get("behind");
        double skew = -skewed - DELAY + (-40_000 + DELAY) / 4.0;
        assertThat(drained.getSkewMs()).isEqualTo(skew);
        assertThat(drained.getLagMs()).isEqualTo(40_000 + skewed + skew);
    }

    @Test
    void shouldEmitOnlyDevicesThatSentBatchesSinceTheLastEmission() {
        sendSeqs("d1", 1);
        sendSeqs("d2", 1);
        assertThat(emit()).containsOnlyKeys("d1", "d2");

        sendSeqs("d2", 2);
        assertThat(emit()).containsOnlyKeys("d2");
        assertThat(emit()).isEmpty();
    }

    @Test
    void shouldCountEachGapOnceAcrossARestartThatRestoresTheStateFromTheChangelog() {
        sendSeqs("d1", 1, 2, 5);
        emit();
        sendSeqs("d1", 6, 3); // processed and committed, not yet emitted when the processor dies
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
                DeviceHealthProcessor.STORE), Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        KeyValueStore<String, String> labels = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
                MetadataUpdater.STORE), Serdes.String(), Serdes.String()).withLoggingDisabled().build();
        labels.init(context.getStateStoreContext(), labels);
        context.addStateStore(labels);
        // What the restore after the crash puts in the store: the changelog, last value per key.
        driver.createOutputTopic("health-test-device-health-changelog", new StringDeserializer(),
                new ByteArrayDeserializer()).readKeyValuesToList().forEach(r -> store.put(r.key, r.value));
        DeviceHealthProcessor restarted = new DeviceHealthProcessor(Duration.ofSeconds(10), StreamsListener.NOOP);
        restarted.init(context);

        assertThat(punctuate(context).getGaps()).as("the batches before the crash, emitted after it").isEqualTo(1);

        for (long seq : new long[] {3, 4}) { // 3 re-sent after the restart, 4 late
            arrival += 100;
            restarted.process(new Record<>("d1", TestBatches.batch("d1").seq(seq)
                    .createdAt(createdFor(seq) * 1_000_000L).build(), arrival));
        }
        DeviceHealth h = punctuate(context);
        assertThat(h.getGaps()).isZero();
        assertThat(h.getLate()).isEqualTo(2);
        assertThat(h.getDuplicates()).isEqualTo(1);
        assertThat(h.getBatches()).isEqualTo(7);
    }

    static DeviceHealth punctuate(MockProcessorContext<String, byte[]> context) {
        context.resetForwards();
        context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(T0 + HOUR));
        try {
            return DeviceHealth.parseFrom(context.forwarded().get(0).record().value());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldRefuseAStateItDidNotWrite() {
        assertThatThrownBy(() -> DeviceHealthState.fromBytes(new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceHealthState.fromBytes(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    /** Batches the device created at {@link #createdFor}, arriving 100 ms apart from now on. */
    void sendSeqs(String device, long... seqs) {
        for (long seq : seqs) {
            arrival += 100;
            send(device, seq, createdFor(seq), 0);
        }
    }

    /** When the device created batch {@code seq} (before any restart): 100 ms apart. */
    static long createdFor(long seq) {
        return T0 + seq * 100;
    }

    void send(String device, long seq, long createdMs, long dropped) {
        telemetry.pipeInput(device, TestBatches.batch(device).seq(seq).createdAt(createdMs * 1_000_000L)
                .droppedReadings(dropped).add(TestBatches.reading("temp", 20, createdMs * 1_000_000L)).toByteArray(),
                arrival);
    }

    /** Advances the wall clock by one health interval; the emitted health by device. */
    Map<String, DeviceHealth> emit() {
        driver.advanceWallClockTime(TopologySettings.DEFAULT_HEALTH_INTERVAL);
        Map<String, DeviceHealth> out = new HashMap<>();
        health.readKeyValuesToList().forEach(r -> {
            try {
                out.put(r.key, DeviceHealth.parseFrom(r.value));
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        });
        return out;
    }
}
