package io.tributary.processor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.processor.alert.RuleSet;
import io.tributary.processor.alert.RulesParser;
import io.tributary.proto.v1.AlertEvent.AlertState;
import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.testing.batch.TestBatches;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The alert engine after its state was restored from the changelog: what it knew before must still count. */
class AlertProcessorRestoreTest {

    static final long NOW = 1_700_000_000_000L;

    MockProcessorContext<String, byte[]> context;
    KeyValueStore<String, Long> lastSeen;
    AlertProcessor processor;

    @BeforeEach
    void restoreState() throws RulesParser.InvalidRulesException {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(NOW);
        KeyValueStore<String, byte[]> status = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AlertProcessor.STATUS_STORE), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        lastSeen = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AlertProcessor.LAST_SEEN_STORE), Serdes.String(), Serdes.Long())
                .withLoggingDisabled().build();
        status.init(context.getStateStoreContext(), status);
        lastSeen.init(context.getStateStoreContext(), lastSeen);
        context.addStateStore(status);
        context.addStateStore(lastSeen);
        KeyValueStore<String, String> metadata = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(MetadataUpdater.STORE), Serdes.String(), Serdes.String())
                .withLoggingDisabled().build();
        metadata.init(context.getStateStoreContext(), metadata);
        context.addStateStore(metadata);
        // What the changelog restored: two devices seen before the restart, 50 s ago.
        lastSeen.put("pi-quiet", NOW - 50_000);
        lastSeen.put("pi-back", NOW - 50_000);

        RuleSet rules = new RulesParser().parse("""
                rules:
                  - {name: silent, device: "pi-*", no-data-for: 60s, severity: warning}
                """);
        processor = new AlertProcessor(TopologySettings.defaults("t."), () -> rules, StreamsListener.NOOP);
        processor.init(context);
    }

    @Test
    void firesTheNoDataRuleOfADeviceKnownOnlyFromTheRestoredStore() {
        punctuateAt(NOW + 9_000);
        assertThat(alerts()).as("silent for 59 s: not yet").isEmpty();

        processAt("pi-back", NOW + 9_500);
        punctuateAt(NOW + 10_000);

        assertThat(alerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getDeviceId()).isEqualTo("pi-quiet");
            assertThat(alert.getState()).isEqualTo(AlertState.FIRING);
        });
        assertThat(lastSeen.get("pi-back")).as("the returning device's time is stored").isEqualTo(NOW + 9_500);
    }

    @Test
    void countsSilenceOfANewDeviceFromItsFirstBatch() {
        processAt("pi-new", NOW);
        punctuateAt(NOW + 59_999);
        context.resetForwards();

        punctuateAt(NOW + 60_000);

        assertThat(alerts()).extracting(AlertEvent::getDeviceId).containsExactly("pi-new");
    }

    void processAt(String device, long wallClockMs) {
        context.setCurrentSystemTimeMs(wallClockMs);
        processor.process(new Record<>(device, batch(device, wallClockMs), wallClockMs));
    }

    void punctuateAt(long wallClockMs) {
        context.setCurrentSystemTimeMs(wallClockMs);
        context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(wallClockMs));
    }

    List<AlertEvent> alerts() {
        return context.forwarded().stream().map(f -> {
            try {
                return AlertEvent.parseFrom(f.record().value());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    static ReadingBatch batch(String device, long eventTimeMs) {
        return TestBatches.batch(device).seq(1).add(TestBatches.reading("temp", 20, eventTimeMs * 1_000_000L)).build();
    }
}
