package io.tributary.simulator.ledger;

import io.tributary.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The ledger on disk, JSON: what {@code simulator verify} holds InfluxDB against. Written whole to a temporary file
 * and renamed over the old one, so a reader (or a run killed mid-write) never sees half a ledger.
 *
 * <pre>
 * {"format":"tributary-ledger/1","run_id":"r1","device_prefix":"sim-r1-","scenario":"demo","final":true,
 *  "written_at":"2025-...Z",
 *  "devices":{"sim-r1-00001":{"profile":"rooms","sensors":["temperature",...],"acked_batches":"1-120,122",
 *     "acked_readings":1815,"rejected_batches":"121","rejected_readings":15,"generated_batches":122,
 *     "duplicate_acks":2,"retries":0,"expected_alerts":["temperature_high"],"labels":{"site":"plant-3"}}}}
 * </pre>
 */
public final class LedgerFile {

    public static final String FORMAT = "tributary-ledger/1";

    /**
     * A ledger read back.
     *
     * @param finished true when written at the end of the run; false for a periodic one (the run may have been killed)
     * @param labels device id → the labels written at provisioning (devices without labels are absent)
     */
    public record Contents(String runId, String devicePrefix, String scenario, boolean finished, String writtenAt,
            Map<String, DeviceLedger.Snapshot> devices, Map<String, Map<String, String>> labels) {
    }

    private LedgerFile() {
    }

    public static void write(Path file, String runId, String devicePrefix, String scenario, boolean finished,
            Map<String, DeviceLedger.Snapshot> devices) throws IOException {
        write(file, runId, devicePrefix, scenario, finished, devices, Map.of());
    }

    /** Writes the ledger, with each device's labels ({@code labels}: device id → labels; absent = none). */
    public static void write(Path file, String runId, String devicePrefix, String scenario, boolean finished,
            Map<String, DeviceLedger.Snapshot> devices, Map<String, Map<String, String>> labels) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("run_id", runId);
        root.put("device_prefix", devicePrefix);
        root.put("scenario", scenario);
        root.put("final", finished);
        root.put("written_at", Instant.now().toString());
        Map<String, Object> entries = new LinkedHashMap<>();
        for (DeviceLedger.Snapshot d : devices.values()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("profile", d.profile());
            entry.put("sensors", d.sensors());
            entry.put("acked_batches", d.ackedRanges());
            entry.put("acked_readings", d.publishedReadings());
            entry.put("rejected_batches", d.rejectedRanges());
            entry.put("rejected_readings", d.rejectedReadings());
            entry.put("generated_batches", d.generatedBatches());
            entry.put("generated_readings", d.generatedReadings());
            entry.put("publishes", d.publishes());
            entry.put("duplicate_acks", d.duplicateAcks());
            entry.put("retries", d.retries());
            entry.put("expected_alerts", d.expectedAlerts());
            entry.put("labels", labels.getOrDefault(d.deviceId(), Map.of()));
            entries.put(d.deviceId(), entry);
        }
        root.put("devices", entries);
        Path absolute = file.toAbsolutePath();
        Path parent = absolute.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Files.writeString(temporary, Json.write(root) + "\n", StandardCharsets.UTF_8);
        try {
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Reads a ledger; the message of an {@link IllegalArgumentException} names what is wrong. */
    public static Contents read(Path file) throws IOException {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
        } catch (YAMLException e) {
            throw new IllegalArgumentException(file + " is not a ledger file (not JSON): " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> top) || !FORMAT.equals(top.get("format"))) {
            throw new IllegalArgumentException(file + " is not a ledger file: expected \"format\":\"" + FORMAT + "\"");
        }
        Map<String, DeviceLedger.Snapshot> devices = new TreeMap<>();
        Map<String, Map<String, String>> labels = new TreeMap<>();
        if (!(top.get("devices") instanceof Map<?, ?> entries)) {
            throw new IllegalArgumentException(file + ": 'devices' must be an object");
        }
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String id = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> d)) {
                throw new IllegalArgumentException(file + ": device " + id + " must be an object");
            }
            SeqRanges ackedRanges = SeqRanges.parse(text(d, "acked_batches", id, file));
            SeqRanges rejectedRanges = SeqRanges.parse(text(d, "rejected_batches", id, file));
            devices.put(id, new DeviceLedger.Snapshot(id, text(d, "profile", id, file), strings(d, "sensors", id, file),
                    number(d, "generated_readings", id, file), number(d, "generated_batches", id, file),
                    number(d, "acked_readings", id, file), ackedRanges.size(), number(d, "rejected_readings", id, file),
                    rejectedRanges.size(), number(d, "publishes", id, file), number(d, "duplicate_acks", id, file),
                    number(d, "retries", id, file), ackedRanges.highest(), ackedRanges.toString(),
                    rejectedRanges.toString(), strings(d, "expected_alerts", id, file)));
            if (d.get("labels") instanceof Map<?, ?> own && !own.isEmpty()) {
                Map<String, String> copy = new TreeMap<>();
                own.forEach((key, value) -> copy.put(String.valueOf(key), String.valueOf(value)));
                labels.put(id, copy);
            }
        }
        return new Contents(String.valueOf(top.get("run_id")), String.valueOf(top.get("device_prefix")),
                String.valueOf(top.get("scenario")), Boolean.TRUE.equals(top.get("final")),
                String.valueOf(top.get("written_at")), devices, labels);
    }

    private static String text(Map<?, ?> d, String key, String id, Path file) {
        Object value = d.get(key);
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException(file + ": device " + id + ": '" + key + "' must be a string");
        }
        return s;
    }

    private static long number(Map<?, ?> d, String key, String id, Path file) {
        Object value = d.get(key);
        if (!(value instanceof Integer || value instanceof Long)) {
            throw new IllegalArgumentException(file + ": device " + id + ": '" + key + "' must be a whole number");
        }
        return ((Number) value).longValue();
    }

    private static List<String> strings(Map<?, ?> d, String key, String id, Path file) {
        if (!(d.get(key) instanceof List<?> list)) {
            throw new IllegalArgumentException(file + ": device " + id + ": '" + key + "' must be a list");
        }
        return list.stream().map(String::valueOf).toList();
    }
}
