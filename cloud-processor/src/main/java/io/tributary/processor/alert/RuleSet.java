package io.tributary.processor.alert;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable set of alert rules, with the rules that apply to a device (and sensor) cached: the engine asks for every
 * reading.
 */
public final class RuleSet {

    public static final RuleSet EMPTY = new RuleSet(List.of());

    private final List<AlertRule> rules;
    private final List<AlertRule.Threshold> thresholdRules;
    private final List<AlertRule.NoData> noDataRules;
    private final Map<String, List<AlertRule.Threshold>> cache = new ConcurrentHashMap<>();
    private final Map<String, List<AlertRule.NoData>> noDataCache = new ConcurrentHashMap<>();

    public RuleSet(List<AlertRule> rules) {
        this.rules = List.copyOf(rules);
        this.thresholdRules = this.rules.stream().filter(AlertRule.Threshold.class::isInstance)
                .map(AlertRule.Threshold.class::cast).toList();
        this.noDataRules = this.rules.stream().filter(AlertRule.NoData.class::isInstance)
                .map(AlertRule.NoData.class::cast).toList();
    }

    public List<AlertRule> rules() {
        return rules;
    }

    public List<AlertRule.NoData> noDataRules() {
        return noDataRules;
    }

    /**
     * The no-data rules watching this device, in file order. Asked for every batch and, every punctuation, for every
     * device ever seen.
     */
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

    /** The threshold rules watching this device's sensor, in file order. */
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
