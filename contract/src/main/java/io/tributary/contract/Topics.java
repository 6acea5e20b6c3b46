package io.tributary.contract;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Every Kafka topic of the pipeline, named from one prefix (default {@value #DEFAULT_PREFIX}), so no part retypes a
 * topic name. See docs/DESIGN.md.
 *
 * @param prefix letters, digits, {@code .}, {@code _} and {@code -}; may be empty
 */
public record Topics(String prefix) {

    public static final String DEFAULT_PREFIX = "tributary.";
    /** Suffix of the marker topic beside a dead-letter topic: which dead letters were replayed already. */
    public static final String REPLAYED_SUFFIX = "-replayed";
    /** Longest prefix: Kafka's topic name limit (249) less the longest name appended to it. */
    public static final int MAX_PREFIX_LENGTH = 249 - ("deadletter" + REPLAYED_SUFFIX).length();

    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]*");

    public Topics {
        Objects.requireNonNull(prefix, "topic prefix must not be null");
        if (!LEGAL.matcher(prefix).matches() || prefix.length() > MAX_PREFIX_LENGTH) {
            throw new IllegalArgumentException("topic prefix may hold only letters, digits, '.', '_' and '-' (at most "
                    + MAX_PREFIX_LENGTH + "), got '" + prefix + "'");
        }
    }

    /** The topics under {@value #DEFAULT_PREFIX}. */
    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** Telemetry batches from the gateway, key = device id, value = the protobuf batch. */
    public String telemetry() {
        return prefix + "telemetry";
    }

    /** Device birth, will and connection events from the gateway. */
    public String deviceStatus() {
        return prefix + "device-status";
    }

    /** Refused payloads, with headers carrying the reason (gateway and cloud processor). */
    public String deadLetter() {
        return prefix + "deadletter";
    }

    /** The marker topic of dead letters replayed already ({@code ./tributary deadletter replay}). */
    public String deadLetterReplayed() {
        return replayedMarkerOf(deadLetter());
    }

    /** The device registry (compacted): key = device id, value = the device record as JSON. */
    public String devices() {
        return prefix + "devices";
    }

    /** Configuration pushed to devices (compacted): key = device id, value = the configuration bytes. */
    public String deviceConfig() {
        return prefix + "device-config";
    }

    /**
     * Device labels (compacted): key = device id, value = {@code DeviceLabels} as JSON; no secrets, so every part that
     * enriches readings may read it.
     */
    public String deviceMetadata() {
        return prefix + "device-metadata";
    }

    /** Windowed rollups from the cloud processor. */
    public String rollups() {
        return prefix + "rollups";
    }

    /** Alert transitions from the cloud processor. */
    public String alerts() {
        return prefix + "alerts";
    }

    /** Per-device delivery health (sequence gaps, duplicates, clock skew) from the cloud processor. */
    public String deviceHealth() {
        return prefix + "device-health";
    }

    /** The topics the ingest path needs before the first device connects: telemetry, dead letters, device status. */
    public List<String> ingest() {
        return List.of(telemetry(), deadLetter(), deviceStatus());
    }

    /** The marker topic beside any dead-letter topic. */
    public static String replayedMarkerOf(String deadLetterTopic) {
        return deadLetterTopic + REPLAYED_SUFFIX;
    }
}
