package io.tributary.demo.bench;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The simulator's final {@code SUMMARY {json}} line. Fields that this simulator version does not report are null, so
 * the benchmark report says "not measured" instead of inventing a value.
 */
record SimulatorSummary(Long publishedReadings, Long lostReadings, Long storedReadings, Map<String, Object> pubackMs,
        Double ackedReadingsPerS) {

    static final String PREFIX = "SUMMARY ";

    /** The summary in the simulator's stdout (its last SUMMARY line); null if there is none or it is not JSON. */
    static SimulatorSummary parse(String stdout) {
        String line = stdout.lines().filter(candidate -> candidate.startsWith(PREFIX)).reduce((a, b) -> b)
                .orElse(null);
        if (line == null) {
            return null;
        }
        JsonObject json;
        try {
            json = new JsonObject(line.substring(PREFIX.length()).strip());
        } catch (DecodeException e) {
            return null;
        }
        JsonObject puback = json.getValue("puback_ms") instanceof JsonObject o ? o : null;
        Number acked = json.getValue("acked_readings_per_s") instanceof Number n ? n : null;
        return new SimulatorSummary(longOrNull(json, "published_readings"), longOrNull(json, "lost_readings"),
                longOrNull(json, "stored_readings"), puback == null ? null : puback.getMap(),
                acked == null ? null : acked.doubleValue());
    }

    private static Long longOrNull(JsonObject json, String key) {
        return json.getValue(key) instanceof Number n ? n.longValue() : null;
    }
}
