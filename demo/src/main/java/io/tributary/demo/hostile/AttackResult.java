package io.tributary.demo.hostile;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one attack observed: when it ran, what the attacker got (in words, for the report) and the facts the suite
 * asserts on (answers by reason code, counts, times).
 */
public final class AttackResult {

    private final String name;
    private final Instant started;
    private Instant ended;
    private final Map<String, Object> facts = new LinkedHashMap<>();
    private final Map<String, Long> answers = new LinkedHashMap<>();

    AttackResult(String name) {
        this.name = name;
        this.started = Instant.now();
    }

    public String name() {
        return name;
    }

    public Instant started() {
        return started;
    }

    public Instant ended() {
        return ended;
    }

    AttackResult end() {
        ended = Instant.now();
        return this;
    }

    synchronized AttackResult fact(String key, Object value) {
        facts.put(key, value);
        return this;
    }

    /** Counts one answer the attacker got, e.g. {@code PUBACK 0x99} or {@code closed}. */
    synchronized void answer(String answer) {
        answers.merge(answer, 1L, Long::sum);
    }

    public synchronized Map<String, Object> facts() {
        return Map.copyOf(facts);
    }

    public synchronized Object fact(String key) {
        return facts.get(key);
    }

    public synchronized long longFact(String key) {
        Object value = facts.get(key);
        return value instanceof Number number ? number.longValue() : -1;
    }

    /** Answers the attacker got, by kind, e.g. {@code {"CONNACK 0x86": 1200, "CONNACK 0x9f": 30000}}. */
    public synchronized Map<String, Long> answers() {
        return Map.copyOf(answers);
    }

    public synchronized long answered(String answer) {
        return answers.getOrDefault(answer, 0L);
    }

    @Override
    public synchronized String toString() {
        return name + " " + answers + " " + facts;
    }
}
