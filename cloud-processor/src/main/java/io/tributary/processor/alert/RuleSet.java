package io.tributary.processor.alert;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable set of alert rules, with the rules that apply to a device (and sensor) cached: the engine asks for every
 * reading. The cache holds what the device id and sensor select; rules that also {@code match} labels are filtered on
 * each call with the device's labels as they are then, so a label change applies from the next batch on.
 */
public final class RuleSet {

    public static final RuleSet EMPTY = new RuleSet(List.of());

    private final List<AlertRule> rules;
    private final List<AlertRule.Threshold> thresholdRules;
    private final List<AlertRule.NoData> noDataRules;
    private final Map<String, List<AlertRule.Threshold>> cache = new ConcurrentHashMap<>();
    private final Map<String, List<AlertRule.NoData>> noDataCache = new ConcurrentHashMap<>();
    private final boolean matchesLabels;

    public RuleSet(List<AlertRule> rules) {
        this.rules = List.copyOf(rules);
        this.thresholdRules = this.rules.stream().filter(AlertRule.Threshold.class::isInstance)
                .map(AlertRule.Threshold.class::cast).toList();
        this.noDataRules = this.rules.stream().filter(AlertRule.NoData.class::isInstance)
                .map(AlertRule.NoData.class::cast).toList();
        this.matchesLabels = this.rules.stream().anyMatch(r -> !r.match().isEmpty());
    }

    /** Whether any rule selects devices by labels: only then does the engine need a device's labels to pick rules. */
    public boolean matchesLabels() {
        return matchesLabels;
    }

    public List<AlertRule> rules() {
        return rules;
    }

    public List<AlertRule.NoData> noDataRules() {
        return noDataRules;
    }

    /**
     * The no-data rules watching this device with these labels, in file order. Asked for every batch and, every
     * punctuation, for every device ever seen.
     */
    public List<AlertRule.NoData> noDataRulesFor(String device, Map<String, String> labels) {
        return withLabels(noDataRulesFor(device), labels);
    }

    /** The no-data rules whose device glob matches this device, whatever its labels. */
    public List<AlertRule.NoData> noDataRulesFor(String device) {
        if (noDataRules.isEmpty()) {
            return List.of();
        }
        if (noDataCache.size() > 100_000) {
            noDataCache.clear(); // bound memory for fleets with very many devices
        }
        return noDataCache.computeIfAbsent(device,
                d -> noDataRules.stream().filter(r -> r.appliesToDevice(d)).toList());
    }

    /** The threshold rules watching this sensor of a device with these labels, in file order. */
    public List<AlertRule.Threshold> thresholdRulesFor(String device, Map<String, String> labels, String sensor) {
        return withLabels(thresholdRulesFor(device, sensor), labels);
    }

    private static <R extends AlertRule> List<R> withLabels(List<R> rules, Map<String, String> labels) {
        for (R rule : rules) {
            if (!rule.matchesLabels(labels)) {
                return rules.stream().filter(r -> r.matchesLabels(labels)).toList();
            }
        }
        return rules; // no allocation in the common case: every rule matches (most have no 'match')
    }

    /** The threshold rules whose globs match this device's sensor, whatever its labels. */
    public List<AlertRule.Threshold> thresholdRulesFor(String device, String sensor) {
        if (thresholdRules.isEmpty()) {
            return List.of();
        }
        if (cache.size() > 100_000) {
            cache.clear(); // bound memory for fleets with very many device/sensor pairs
        }
        return cache.computeIfAbsent(device + '\u0000' + sensor,
                k -> thresholdRules.stream().filter(r -> r.appliesTo(device, sensor)).toList());
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    @Override
    public String toString() {
        return "RuleSet" + rules.stream().map(AlertRule::name).toList();
    }
}
