package io.tributary.processor.streams;

import java.util.ArrayList;
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
import io.tributary.processor.config.Durations;
import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.AlertEvent.AlertState;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;

/**
 * The alert engine: evaluates the current rules for every reading and, on a wall-clock punctuator, the no-data rules.
 *
 * <p>The status of every rule per device (and sensor) lives in a persistent, changelogged store; only transitions are
 * emitted (FIRING, RESOLVED). Under {@code exactly_once_v2} a transition's event and the new status are committed
 * together, so neither a crash nor a rebalance can emit a transition twice or lose it: the task's new owner restores
 * the status from the changelog and continues from there.
 */
final class AlertProcessor implements Processor<String, ReadingBatch, String, byte[]> {

    private static final Logger log = LoggerFactory.getLogger(AlertProcessor.class);

    static final String STATUS_STORE = "alert-status";
    static final String LAST_SEEN_STORE = "device-last-seen";

    private final TopologySettings settings;
    private final Supplier<RuleSet> rules;
    private final StreamsListener listener;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> status;
    private KeyValueStore<String, Long> lastSeen;

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
        context.schedule(settings.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::checkSilence);
    }

    @Override
    public void process(Record<String, ReadingBatch> record) {
        RuleSet ruleSet = rules.get();
        String device = record.key();
        long now = context.currentSystemTimeMs();
        lastSeen.put(device, now);
        long latestEventNanos = 0;
        Map<String, AlertStatus[]> statuses = new HashMap<>(); // key -> {as stored, current}
        for (Reading reading : record.value().getReadingsList()) {
            latestEventNanos = Math.max(latestEventNanos, reading.getEventTimeUnixNanos());
            if (!Double.isFinite(reading.getValue()) || reading.getEventTimeUnixNanos() <= 0) {
                continue;
            }
            for (AlertRule.Threshold rule : ruleSet.thresholdRulesFor(device, reading.getSensor())) {
                evaluate(rule, device, reading, statuses);
            }
        }
        // Store only what changed, once per batch.
        for (Map.Entry<String, AlertStatus[]> entry : statuses.entrySet()) {
            AlertStatus stored = entry.getValue()[0];
            AlertStatus current = entry.getValue()[1];
            if (current.equals(stored)) {
                continue;
            }
            if (current.phase() == AlertStatus.Phase.OK) {
                status.delete(entry.getKey());
            } else {
                status.put(entry.getKey(), current.toBytes());
            }
        }
        for (AlertRule.NoData rule : ruleSet.noDataRules()) {
            if (!rule.appliesToDevice(device)) {
                continue;
            }
            String key = rule.name() + '\u0000' + device;
            if (AlertStatus.fromBytes(status.get(key)).phase() == AlertStatus.Phase.FIRING) {
                status.delete(key);
                emit(device, rule, AlertState.RESOLVED, 0, rule.silence().toMillis() / 1000.0, "",
                        "device " + device + " sends data again", latestEventNanos > 0 ? latestEventNanos
                                : now * 1_000_000L);
            }
        }
    }

    private void evaluate(AlertRule.Threshold rule, String device, Reading reading,
            Map<String, AlertStatus[]> statuses) {
        String key = rule.name() + '\u0000' + device + '\u0000' + reading.getSensor();
        AlertStatus[] slot = statuses.get(key);
        if (slot == null) {
            AlertStatus stored = AlertStatus.fromBytes(status.get(key));
            slot = new AlertStatus[] {stored, stored};
            statuses.put(key, slot);
        }
        ThresholdEvaluator.Step step = ThresholdEvaluator.evaluate(rule, slot[1], reading.getValue(),
                reading.getEventTimeUnixNanos());
        slot[1] = step.next();
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
        emit(device, rule, step.event(), reading.getValue(), threshold, reading.getSensor(), message,
                reading.getEventTimeUnixNanos());
    }

    /** Fires the no-data rules of devices silent for longer than the rule allows. */
    private void checkSilence(long wallClockMs) {
        List<AlertRule.NoData> noDataRules = rules.get().noDataRules();
        if (noDataRules.isEmpty()) {
            return;
        }
        List<KeyValue<String, Long>> devices = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = lastSeen.all()) {
            while (it.hasNext()) {
                devices.add(it.next());
            }
        }
        for (KeyValue<String, Long> entry : devices) {
            String device = entry.key;
            long silentMs = wallClockMs - entry.value;
            for (AlertRule.NoData rule : noDataRules) {
                if (silentMs < rule.silence().toMillis() || !rule.appliesToDevice(device)) {
                    continue;
                }
                String key = rule.name() + '\u0000' + device;
                if (AlertStatus.fromBytes(status.get(key)).phase() == AlertStatus.Phase.FIRING) {
                    continue;
                }
                long nowNanos = wallClockMs * 1_000_000L;
                status.put(key, new AlertStatus(AlertStatus.Phase.FIRING, nowNanos, nowNanos).toBytes());
                emit(device, rule, AlertState.FIRING, silentMs / 1000.0, rule.silence().toMillis() / 1000.0, "",
                        "no data from device " + device + " for " + Durations.format(rule.silence()), nowNanos);
            }
        }
    }

    private void emit(String device, AlertRule rule, AlertState state, double value, double threshold, String sensor,
            String message, long timeNanos) {
        AlertEvent event = AlertEvent.newBuilder()
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
