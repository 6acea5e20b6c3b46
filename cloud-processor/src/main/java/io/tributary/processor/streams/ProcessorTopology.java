package io.tributary.processor.streams;

import java.util.function.Supplier;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import io.tributary.processor.alert.RuleSet;

/**
 * Builds the processor's Streams topology. The one factory that production ({@code StreamsEngine}) and the
 * {@code TopologyTestDriver} tests call.
 *
 * <pre>
 * telemetry ─▶ decode ─┬▶ rollups (stores rollup-device-windows, rollup-watermark) ─▶ {prefix}rollups
 *                      └▶ alerts  (stores alert-status, device-last-seen)            ─▶ {prefix}alerts
 * </pre>
 * Both processors key their state by device (plus rule/sensor/window), and telemetry is keyed by device, so no
 * repartitioning is needed: a device's state lives in the task of its telemetry partition.
 */
public final class ProcessorTopology {

    private ProcessorTopology() {
    }

    public static Topology build(TopologySettings settings, Supplier<RuleSet> rules, StreamsListener listener) {
        Topology topology = new Topology();
        topology.addSource("telemetry", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                settings.telemetryTopic());
        topology.addProcessor("decode", () -> new ReadingsDecoder(listener), "telemetry");
        topology.addProcessor("rollups", () -> new RollupProcessor(settings, listener), "decode");
        topology.addProcessor("alerts", () -> new AlertProcessor(settings, rules, listener), "decode");
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(RollupProcessor.WINDOWS_STORE), Serdes.String(), Serdes.ByteArray()),
                "rollups");
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(RollupProcessor.WATERMARK_STORE), Serdes.String(), Serdes.Long()),
                "rollups");
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AlertProcessor.STATUS_STORE), Serdes.String(), Serdes.ByteArray()),
                "alerts");
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AlertProcessor.LAST_SEEN_STORE), Serdes.String(), Serdes.Long()),
                "alerts");
        topology.addSink("rollups-sink", settings.rollupsTopic(), new StringSerializer(), new ByteArraySerializer(),
                "rollups");
        topology.addSink("alerts-sink", settings.alertsTopic(), new StringSerializer(), new ByteArraySerializer(),
                "alerts");
        return topology;
    }
}
