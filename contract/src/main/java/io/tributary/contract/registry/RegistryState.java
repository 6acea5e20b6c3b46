package io.tributary.contract.registry;

import io.tributary.common.LogSanitizer;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry folded from its two compacted topics: the latest record per device and per device configuration.
 * Fed by one consumer (any client library: it takes Kafka's {@link ConsumerRecord}), read from any thread.
 */
public final class RegistryState {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryState.class);

    /** WARN lines about refused records per minute at most; the rest go to DEBUG (a whole topic may be refused). */
    private static final int REFUSAL_WARNINGS_PER_MINUTE = 20;

    private final RegistryTopics topics;
    private final CredentialRules rules;
    private final Consumer<CredentialRules.Problem> refusals;
    private final ConcurrentMap<String, DeviceRecord> devices = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, byte[]> configs = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, CredentialRules.Problem> refused = new ConcurrentHashMap<>();
    private long warningMinute = Long.MIN_VALUE;
    private int warningsThisMinute;
    private long warningsSuppressed;

    public RegistryState(RegistryTopics topics) {
        this(topics, CredentialRules.DEFAULTS, problem -> { });
    }

    /**
     * @param rules what a device record must look like to be used
     * @param refusals told about every record refused (on the consumer thread; must not block)
     */
    public RegistryState(RegistryTopics topics, CredentialRules rules, Consumer<CredentialRules.Problem> refusals) {
        this.topics = topics;
        this.rules = rules;
        this.refusals = refusals;
    }

    /** Devices whose latest record was refused (they cannot log in), by id. */
    public Map<String, CredentialRules.Problem> refused() {
        return Map.copyOf(refused);
    }

    public Optional<DeviceRecord> device(String id) {
        return Optional.ofNullable(devices.get(id));
    }

    public Optional<byte[]> config(String id) {
        return Optional.ofNullable(configs.get(id)).map(byte[]::clone);
    }

    /** Every device, sorted by id. */
    public List<DeviceRecord> devices() {
        return devices.values().stream().sorted(Comparator.comparing(DeviceRecord::deviceId)).toList();
    }

    /** Folds one record in and tells {@code listener}; unreadable records are logged and skipped. */
    public void apply(ConsumerRecord<String, byte[]> record, RegistryListener listener) {
        String key = record.key();
        if (key == null) {
            return;
        }
        if (record.topic().equals(topics.devices())) {
            if (record.value() == null) {
                devices.remove(key);
                refused.remove(key);
                listener.deviceChanged(key, Optional.empty());
                return;
            }
            DeviceRecord device;
            try {
                device = DeviceRecord.fromJson(key, record.value(), rules);
            } catch (InvalidDeviceRecordException e) {
                refuse(record, key, e.problem(), e.getMessage(), listener);
                return;
            } catch (RuntimeException e) { // fromJson throws nothing else; a consumer must survive any record
                refuse(record, key, CredentialRules.Problem.UNREADABLE, LogSanitizer.sanitize(String.valueOf(e)),
                        listener);
                return;
            }
            refused.remove(key);
            devices.put(key, device);
            listener.deviceChanged(key, Optional.of(device));
        } else if (record.topic().equals(topics.config())) {
            if (record.value() == null) {
                configs.remove(key);
                listener.configChanged(key, Optional.empty());
            } else {
                configs.put(key, record.value());
                listener.configChanged(key, Optional.of(record.value().clone()));
            }
        }
    }

    /**
     * A record that cannot be used replaces the device's previous one: the device cannot log in, and its open
     * connections are closed (an operator who rotated a secret with a broken record must not leave the old secret
     * working). Counted, and logged once (rate-limited when a whole topic is refused, e.g. after the iteration range
     * was narrowed).
     */
    private void refuse(ConsumerRecord<String, byte[]> record, String key, CredentialRules.Problem problem,
            String message, RegistryListener listener) {
        refused.put(key, problem);
        refusals.accept(problem);
        long minute = System.nanoTime() / 60_000_000_000L;
        if (minute != warningMinute) {
            warningMinute = minute;
            warningsThisMinute = 0;
        }
        if (warningsThisMinute < REFUSAL_WARNINGS_PER_MINUTE) {
            warningsThisMinute++;
            LOG.warn("Refusing a device record: the device cannot log in [topic: {}, offset: {}, reason: {},"
                    + " refused records not logged before: {}]: {}", record.topic(), record.offset(), problem.code(),
                    warningsSuppressed, message);
            warningsSuppressed = 0;
        } else {
            warningsSuppressed++;
            LOG.debug("Refusing a device record [topic: {}, offset: {}, reason: {}]: {}", record.topic(),
                    record.offset(), problem.code(), message);
        }
        if (devices.remove(key) != null) {
            listener.deviceChanged(key, Optional.empty());
        }
    }
}
