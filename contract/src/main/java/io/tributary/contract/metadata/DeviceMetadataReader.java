package io.tributary.contract.metadata;

import io.tributary.common.LogSanitizer;
import io.tributary.contract.registry.RegistryTopics;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest labels of each device in the compacted {@code {prefix}device-metadata} topic: a tombstone removes a
 * device's labels; a record that is not valid {@link DeviceLabels} of its key is counted and skipped (the device keeps
 * what it had), so one broken or hostile record never hides the others.
 */
public final class DeviceMetadataReader {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceMetadataReader.class);

    private final Map<String, DeviceLabels> latest = new TreeMap<>();
    private long invalidRecords;
    private String firstProblem;

    /**
     * Reads the whole topic as it is now (blocks: a CLI or provisioning thread); logs one warning with the count of
     * invalid records, if any.
     *
     * @param kafkaProperties at least {@code bootstrap.servers}, plus security settings if any
     * @throws io.tributary.contract.registry.RegistryException when the topic does not exist or Kafka does not answer
     *     within {@code timeout}
     */
    public static DeviceMetadataReader read(Map<String, Object> kafkaProperties, String topic, Duration timeout) {
        DeviceMetadataReader reader = new DeviceMetadataReader();
        RegistryTopics.readToEnd(kafkaProperties, "tributary-metadata-reader", List.of(topic), timeout,
                record -> reader.apply(record.key(), record.value()));
        if (reader.invalidRecords > 0) {
            LOG.warn("Skipped invalid device metadata records [topic: {}, records: {}, first: {}]", topic,
                    reader.invalidRecords, LogSanitizer.sanitize(reader.firstProblem));
        }
        return reader;
    }

    /** Applies one record of the topic, in offset order. */
    public void apply(String key, byte[] value) {
        if (key == null) {
            invalid("a record without a key");
        } else if (value == null) {
            latest.remove(key);
        } else {
            try {
                latest.put(key, DeviceLabels.fromJson(key, value));
            } catch (IllegalArgumentException e) {
                invalid(e.getMessage());
            }
        }
    }

    private void invalid(String problem) {
        if (invalidRecords++ == 0) {
            firstProblem = problem;
        }
    }

    /** Device id → its labels, sorted by id; devices without labels are absent. */
    public Map<String, DeviceLabels> labels() {
        return Collections.unmodifiableMap(latest);
    }

    public DeviceLabels labelsOf(String deviceId) {
        return latest.getOrDefault(deviceId, DeviceLabels.none(deviceId));
    }

    /** Records skipped because they were not valid labels of their key. */
    public long invalidRecords() {
        return invalidRecords;
    }
}
