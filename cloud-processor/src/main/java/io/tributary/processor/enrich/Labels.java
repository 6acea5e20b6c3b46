package io.tributary.processor.enrich;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tributary.contract.metadata.DeviceLabels;

/**
 * Device labels as the processor keeps them: read from a {@code device-metadata} record, kept in a store as one short
 * string ({@code kind=motor\nsite=plant-3}, cheap to decode on every lookup: labels hold neither {@code =} nor a line
 * break), and picked for InfluxDB tags.
 */
public final class Labels {

    private Labels() {
    }

    /**
     * The labels of a metadata record's value.
     *
     * @throws IllegalArgumentException if the record is not valid labels of device {@code key} (the caller counts it
     *     and keeps what it had)
     */
    public static Map<String, String> read(String key, byte[] json) {
        if (key == null) {
            throw new IllegalArgumentException("labels record has no key");
        }
        return DeviceLabels.fromJson(key, json).labels();
    }

    public static String encode(Map<String, String> labels) {
        StringBuilder out = new StringBuilder();
        labels.forEach((k, v) -> out.append(out.isEmpty() ? "" : "\n").append(k).append('=').append(v));
        return out.toString();
    }

    /** The labels of {@link #encode}'s string; empty for null (a device without metadata). */
    public static Map<String, String> decode(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return Map.of();
        }
        Map<String, String> labels = new HashMap<>(8);
        int start = 0;
        while (start < encoded.length()) {
            int end = encoded.indexOf('\n', start);
            if (end < 0) {
                end = encoded.length();
            }
            int eq = encoded.indexOf('=', start);
            labels.put(encoded.substring(start, eq), encoded.substring(eq + 1, end));
            start = end + 1;
        }
        return labels;
    }

    /**
     * Checks the labels that become InfluxDB tags (config {@code enrichment.tags}).
     *
     * @throws IllegalArgumentException naming the key and the bad entry
     */
    public static List<String> checkTagKeys(List<String> keys) {
        if (keys.size() > MAX_TAGS) {
            throw new IllegalArgumentException("enrichment.tags: at most " + MAX_TAGS + " labels (each one multiplies "
                    + "the series of readings, rollups and alerts), got " + keys.size());
        }
        for (String key : keys) {
            try {
                DeviceLabels.check(key, key); // a valid key is always a valid value: this checks the key
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("enrichment.tags: " + e.getMessage(), e);
            }
        }
        if (keys.stream().distinct().count() != keys.size()) {
            throw new IllegalArgumentException("enrichment.tags: labels must be distinct, got " + keys);
        }
        return List.copyOf(keys);
    }

    /** The most labels that may become tags. */
    public static final int MAX_TAGS = 8;
}
