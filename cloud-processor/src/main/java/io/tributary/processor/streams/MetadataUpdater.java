package io.tributary.processor.streams;

import java.util.Map;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.processor.enrich.Labels;

/**
 * Keeps the global store {@value #STORE} (device id → its labels, {@link Labels#encode encoded}) as the
 * {@code device-metadata} topic says: the table side of the enrichment join. Every instance holds the whole table (a
 * few hundred bytes per labelled device), so the rollup and alert processors look a device up in memory, whatever
 * task owns it. Streams also runs this processor when it restores the store at start, so an invalid record is skipped
 * (counted, logged) there too and the device keeps the labels it had. A tombstone removes the device's labels.
 */
final class MetadataUpdater implements Processor<String, byte[], Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(MetadataUpdater.class);

    static final String STORE = "device-metadata";

    private final StreamsListener listener;
    private KeyValueStore<String, String> store;

    MetadataUpdater(StreamsListener listener) {
        this.listener = listener;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() != null && record.value() == null) {
            store.delete(record.key());
            return;
        }
        try {
            store.put(record.key(), Labels.encode(Labels.read(record.key(), record.value())));
        } catch (IllegalArgumentException e) {
            listener.invalidMetadata();
            log.warn("Invalid device metadata record skipped; the device keeps its labels [device: {}]: {}",
                    record.key(), e.getMessage());
        }
    }

    /** The labels of {@code device} in the store, empty if it has none: the join's lookup. */
    static Map<String, String> labelsOf(ReadOnlyKeyValueStore<String, String> store, String device) {
        return Labels.decode(store.get(device));
    }
}
