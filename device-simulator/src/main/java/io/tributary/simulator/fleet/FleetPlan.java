package io.tributary.simulator.fleet;

import io.tributary.simulator.scenario.Scenario;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A fleet ready to run: the scenario, the run it belongs to and where it publishes.
 *
 * @param mqttServerUri        the gateway, e.g. {@code tcp://localhost:1883}
 * @param runId                distinguishes this run's devices ({@code sim-RUN-00001}) from earlier runs in the same bucket
 * @param scenario             profiles, anomalies, seed and connect rate
 * @param maxInflightPerDevice unacknowledged batches a device may have outstanding
 * @param publishTimeout       after this long without PUBACK a batch is published again
 */
public record FleetPlan(String mqttServerUri, String runId, Scenario scenario, int maxInflightPerDevice,
        Duration publishTimeout) {

    private static final Pattern RUN_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    public FleetPlan {
        Objects.requireNonNull(scenario, "scenario");
        requireServerAndRunId(mqttServerUri, runId);
        Scenario.requireRange("max-inflight", maxInflightPerDevice, 1, 65_535);
        if (publishTimeout == null || publishTimeout.isNegative() || publishTimeout.isZero()) {
            throw new IllegalArgumentException("publish-timeout must be positive, got " + publishTimeout);
        }
    }

    /** The checks of {@code mqttServerUri} and {@code runId}, shared with the flags' {@code SimulatorConfig}. */
    public static void requireServerAndRunId(String mqttServerUri, String runId) {
        Objects.requireNonNull(mqttServerUri, "mqtt-uri");
        if (!mqttServerUri.startsWith("tcp://") && !mqttServerUri.startsWith("ssl://")) {
            throw new IllegalArgumentException("mqtt-uri must start with tcp:// or ssl://, got '" + mqttServerUri + "'");
        }
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("run-id must be 1-32 lowercase letters, digits or '-', starting with a "
                    + "letter or digit, got '" + runId + "'");
        }
    }

    public int devices() {
        return scenario.devices();
    }

    /** The id of device number {@code index} (0-based) of this run. */
    public String deviceId(int index) {
        return devicePrefix() + String.format("%05d", index + 1);
    }

    /** Every device id of this run, in order. */
    public List<String> deviceIds() {
        return IntStream.range(0, devices()).mapToObj(this::deviceId).toList();
    }

    /** Device id → the labels of its profile; devices of a profile without labels are absent. */
    public Map<String, Map<String, String>> labels() {
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        for (int i = 0; i < devices(); i++) {
            Map<String, String> own = scenario.profileOf(i).labels();
            if (!own.isEmpty()) {
                labels.put(deviceId(i), own);
            }
        }
        return labels;
    }

    /** The common prefix of every device id of this run. */
    public String devicePrefix() {
        return "sim-" + runId + "-";
    }
}
