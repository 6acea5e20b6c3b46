package io.tributary.processor.streams;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.processor.alert.AlertRule;
import io.tributary.processor.alert.AlertStatus;
import io.tributary.processor.alert.RuleSet;
import io.tributary.processor.alert.ThresholdEvaluator;
import io.tributary.common.Durations;
import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.AlertEvent.AlertState;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;

/**
 * The alert engine: evaluates the current rules for every reading and, on a wall-clock punctuator, the no-data rules.
 *
 * <p>The status of every rule per device (and sensor) lives in a changelogged store; only transitions are
 * emitted (FIRING, RESOLVED). Under {@code exactly_once_v2} a transition's event and the new status are committed
 * together, so neither a crash nor a rebalance can emit a transition twice or lose it: the task's new owner restores
 * the status from the changelog and continues from there.
 *
 * <p>When each device was last seen is exact in memory, but stored (and changelogged) only when it moved by
 * {@link #LAST_SEEN_RESOLUTION_MS} or more: a record per batch would be a changelog record per batch, for a value the
 * no-data rules read in seconds. After a restore the stored value can be that much older than the truth, so a no-data
 * rule may then fire up to that much early for a device that really went silent.
 */
final class AlertProcessor implements Processor<String, ReadingBatch, String, byte[]> {

    private static final Logger log = LoggerFactory.getLogger(AlertProcessor.class);

    static final String STATUS_STORE = "alert-status";
    static final String LAST_SEEN_STORE = "device-last-seen";
    static final long LAST_SEEN_RESOLUTION_MS = 1_000;
    private static final int STATUS_CACHE_LIMIT = 1_000_000;

    private final TopologySettings settings;
    private final Supplier<RuleSet> rules;
    private final StreamsListener listener;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> status;
    private KeyValueStore<String, Long> lastSeen;
    private KeyValueStore<String, String> metadata;
    /**
     * device -> {last seen (exact), last seen as stored}: every device of this task's store, loaded once at init (the
     * store is only changed here), so the no-data check walks memory instead of the whole store twice a second.
     */
    private final Map<String, long[]> seen = new HashMap<>();
    /**
     * What the status store holds for each key this task has read or written (absent = OK): the store is only ever
     * changed here, so the copy stays exact and the engine reads the store once per key instead of per batch.
     */
    private final Map<String, AlertStatus> statusCache = new HashMap<>();

    AlertProcessor(TopologySettings settings, Supplier<RuleSet> rules, StreamsListener listener) {
        this.settings = settings;
        this.rules = rules;
        this.listener = listener;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.status = context.getStateStore(STATUS_STORE);
        this.lastSeen = context.getStateStore(LAST_SEEN_STORE);
        this.metadata = context.getStateStore(MetadataUpdater.STORE);
        // init also runs when a task is revived after its state was wiped and restored: forget what we knew of it
        seen.clear();
        statusCache.clear();
        try (KeyValueIterator<String, Long> it = lastSeen.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> entry = it.next();
                seen.put(entry.key, new long[] {entry.value, entry.value});
            }
        }
        context.schedule(settings.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::checkSilence);
    }

    @Override
    public void process(Record<String, ReadingBatch> record) {
        RuleSet ruleSet = rules.get();
        String device = record.key();
        long now = context.currentSystemTimeMs();
        markSeen(device, now);
        // The device's labels are looked up per batch only if a rule selects by them; else only when an event is sent.
        Map<String, String> labels = ruleSet.matchesLabels() ? MetadataUpdater.labelsOf(metadata, device) : null;
        long latestEventNanos = 0;
        // Per sensor of this batch: its rules and, per rule, {status as stored, current status}.
        Map<String, SensorRules> bySensor = new HashMap<>(4);
        for (Reading reading : record.value().getReadingsList()) {
            latestEventNanos = Math.max(latestEventNanos, reading.getEventTimeUnixNanos());
            if (!Double.isFinite(reading.getValue()) || reading.getEventTimeUnixNanos() <= 0) {
                continue;
            }
            SensorRules sensorRules = bySensor.get(reading.getSensor());
            if (sensorRules == null) {
                sensorRules = new SensorRules(device, reading.getSensor(), labels == null
                        ? ruleSet.thresholdRulesFor(device, reading.getSensor())
                        : ruleSet.thresholdRulesFor(device, labels, reading.getSensor()));
                bySensor.put(reading.getSensor(), sensorRules);
            }
            for (int i = 0; i < sensorRules.rules.size(); i++) {
                evaluate(sensorRules, i, device, labels, reading);
            }
        }
        // Store only what changed, once per batch.
        for (SensorRules sensorRules : bySensor.values()) {
            for (int i = 0; i < sensorRules.rules.size(); i++) {
                if (sensorRules.current[i] != null && !sensorRules.current[i].equals(sensorRules.stored[i])) {
                    storeStatus(sensorRules.keys[i], sensorRules.current[i]);
                }
            }
        }
        for (AlertRule.NoData rule : labels == null ? ruleSet.noDataRulesFor(device)
                : ruleSet.noDataRulesFor(device, labels)) {
            String key = rule.name() + '\u0000' + device;
            if (statusOf(key).phase() == AlertStatus.Phase.FIRING) {
                storeStatus(key, AlertStatus.OK);
                emit(device, labels, rule, AlertState.RESOLVED, 0, rule.silence().toMillis() / 1000.0, "",
                        "device " + device + " sends data again", latestEventNanos > 0 ? latestEventNanos
                                : now * 1_000_000L);
            }
        }
    }

    /** The threshold rules of one sensor of a batch, with their status keys and statuses while the batch runs. */
    private static final class SensorRules {
        final List<AlertRule.Threshold> rules;
        final String[] keys;
        final AlertStatus[] stored;
        final AlertStatus[] current;

        SensorRules(String device, String sensor, List<AlertRule.Threshold> rules) {
            this.rules = rules;
            this.keys = new String[rules.size()];
            this.stored = new AlertStatus[rules.size()];
            this.current = new AlertStatus[rules.size()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = rules.get(i).name() + '\u0000' + device + '\u0000' + sensor;
            }
        }
    }

    private AlertStatus statusOf(String key) {
        AlertStatus cached = statusCache.get(key);
        if (cached == null) {
            if (statusCache.size() >= STATUS_CACHE_LIMIT) {
                statusCache.clear(); // bounds memory when rules or fleets churn; the store still has everything
            }
            cached = AlertStatus.fromBytes(status.get(key));
            statusCache.put(key, cached);
        }
        return cached;
    }

    private void storeStatus(String key, AlertStatus next) {
        if (next.phase() == AlertStatus.Phase.OK) {
            status.delete(key);
        } else {
            status.put(key, next.toBytes());
        }
        statusCache.put(key, next);
    }

    private void markSeen(String device, long now) {
        long[] times = seen.get(device);
        if (times == null) {
            times = new long[] {now, Long.MIN_VALUE}; // not in the store: init loaded all of it
            seen.put(device, times);
        }
        times[0] = now;
        if (times[1] == Long.MIN_VALUE || now - times[1] >= LAST_SEEN_RESOLUTION_MS) {
            lastSeen.put(device, now);
            times[1] = now;
        }
    }

    private void evaluate(SensorRules sensorRules, int i, String device, Map<String, String> labels,
            Reading reading) {
        AlertRule.Threshold rule = sensorRules.rules.get(i);
        if (sensorRules.current[i] == null) {
            sensorRules.stored[i] = statusOf(sensorRules.keys[i]);
            sensorRules.current[i] = sensorRules.stored[i];
        }
        ThresholdEvaluator.Step step = ThresholdEvaluator.evaluate(rule, sensorRules.current[i], reading.getValue(),
                reading.getEventTimeUnixNanos());
        sensorRules.current[i] = step.next();
        if (step.event() == null) {
            return;
        }
        String direction = rule.direction() == AlertRule.Direction.ABOVE ? "above" : "below";
        String message;
        double threshold;
        if (step.event() == AlertState.FIRING) {
            threshold = rule.threshold();
            message = reading.getSensor() + " = " + reading.getValue() + " " + direction + " " + rule.threshold()
                    + (rule.forDuration().isZero() ? "" : " for " + Durations.format(rule.forDuration()));
        } else {
            threshold = rule.clear();
            message = reading.getSensor() + " = " + reading.getValue() + " back "
                    + (rule.direction() == AlertRule.Direction.ABOVE ? "at or below " : "at or above ") + rule.clear();
        }
        emit(device, labels, rule, step.event(), reading.getValue(), threshold, reading.getSensor(), message,
                reading.getEventTimeUnixNanos());
    }

    /** Fires the no-data rules of devices silent for longer than the rule allows. */
    private void checkSilence(long wallClockMs) {
        RuleSet ruleSet = rules.get();
        if (ruleSet.noDataRules().isEmpty()) {
            return;
        }
        for (Map.Entry<String, long[]> entry : seen.entrySet()) {
            String device = entry.getKey();
            long silentMs = wallClockMs - entry.getValue()[0];
            Map<String, String> labels = ruleSet.matchesLabels() ? MetadataUpdater.labelsOf(metadata, device) : null;
            for (AlertRule.NoData rule : labels == null ? ruleSet.noDataRulesFor(device)
                    : ruleSet.noDataRulesFor(device, labels)) {
                if (silentMs < rule.silence().toMillis()) {
                    continue;
                }
                String key = rule.name() + '\u0000' + device;
                if (statusOf(key).phase() == AlertStatus.Phase.FIRING) {
                    continue;
                }
                long nowNanos = wallClockMs * 1_000_000L;
                storeStatus(key, new AlertStatus(AlertStatus.Phase.FIRING, nowNanos, nowNanos));
                emit(device, labels, rule, AlertState.FIRING, silentMs / 1000.0, rule.silence().toMillis() / 1000.0, "",
                        "no data from device " + device + " for " + Durations.format(rule.silence()), nowNanos);
            }
        }
    }

    /** {@code labels}: the device's, or null to look them up (every event carries all of them). */
    private void emit(String device, Map<String, String> labels, AlertRule rule, AlertState state, double value,
            double threshold, String sensor, String message, long timeNanos) {
        AlertEvent event = AlertEvent.newBuilder()
                .putAllLabels(labels != null ? labels : MetadataUpdater.labelsOf(metadata, device))
                .setDeviceId(device)
                .setRule(rule.name())
                .setSeverity(rule.severity())
                .setState(state)
                .setValue(value)
                .setThreshold(threshold)
                .setMessage(message)
                .setTransitionTimeUnixNanos(timeNanos)
                .setSensor(sensor)
                .build();
        context.forward(new Record<>(device, event.toByteArray(), context.currentSystemTimeMs()));
        listener.alertTransition(event);
        // The log is a notification channel too; unlike the alerts topic it is not transactional, so a task
        // re-processed after a crash may log a transition again (the topic and InfluxDB get it exactly once).
        log.info("Alert {} [device: {}, rule: {}, sensor: {}, severity: {}, value: {}, threshold: {}]: {}",
                state, device, rule.name(), sensor, rule.severity(), value, threshold, message);
    }
}
