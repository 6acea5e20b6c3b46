package io.tributary.simulator.config;

import io.tributary.simulator.fleet.FleetPlan;
import io.tributary.simulator.scenario.Profile;
import io.tributary.simulator.scenario.Scenario;
import io.tributary.simulator.sensor.DeviceKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a simulated fleet of generic devices looks like and where it publishes: the command-line flags' fleet, run as
 * the {@link FleetPlan} of {@link #toPlan}. {@code mqttServerUri}, {@code runId}, {@code maxInflightPerDevice} and
 * {@code publishTimeout} mean what they mean there.
 *
 * @param devices           how many virtual devices
 * @param sensorsPerDevice  sensors per device, taken from a fixed catalogue in order
 * @param batchInterval     how often each device closes and publishes a batch
 * @param readingsPerSensor readings of each sensor per batch (the sampling rate is this over the batch interval)
 * @param connectRate       devices that connect per second at start, so a large fleet ramps up instead of
 *                          stampeding the gateway
 */
public record SimulatorConfig(
        String mqttServerUri,
        int devices,
        String runId,
        int sensorsPerDevice,
        Duration batchInterval,
        int readingsPerSensor,
        int maxInflightPerDevice,
        Duration publishTimeout,
        int connectRate) {

    public SimulatorConfig {
        FleetPlan.requireServerAndRunId(mqttServerUri, runId);
        Scenario.requireRange("devices", devices, 1, 100_000);
        Scenario.requireRange("sensors", sensorsPerDevice, 1, 64);
        requirePositive("batch-interval", batchInterval);
        Scenario.requireRange("readings-per-sensor", readingsPerSensor, 1, 10_000);
        Scenario.requireRange("max-inflight", maxInflightPerDevice, 1, 65_535);
        requirePositive("publish-timeout", publishTimeout);
        Scenario.requireRange("connect-rate", connectRate, 1, 1_000_000);
    }

    /** With the default connect rate, {@value Scenario#DEFAULT_CONNECT_RATE} devices per second. */
    public SimulatorConfig(String mqttServerUri, int devices, String runId, int sensorsPerDevice,
            Duration batchInterval, int readingsPerSensor, int maxInflightPerDevice, Duration publishTimeout) {
        this(mqttServerUri, devices, runId, sensorsPerDevice, batchInterval, readingsPerSensor, maxInflightPerDevice,
                publishTimeout, Scenario.DEFAULT_CONNECT_RATE);
    }

    /**
     * This fleet as a one-profile scenario of generic devices, with values from {@code seed} and {@code labels} on
     * every device (written to the device metadata at provisioning).
     */
    public FleetPlan toPlan(long seed, Map<String, String> labels) {
        Profile profile = new Profile("default", DeviceKind.GENERIC, devices, sensorsPerDevice,
                batchInterval.dividedBy(readingsPerSensor), readingsPerSensor, labels);
        Scenario scenario = new Scenario("flags", seed, connectRate, List.of(profile), List.of());
        return new FleetPlan(mqttServerUri, runId, scenario, maxInflightPerDevice, publishTimeout);
    }

    /** {@link #toPlan(long, Map)} with seed {@value Scenario#DEFAULT_SEED} and no labels. */
    public FleetPlan toPlan() {
        return toPlan(Scenario.DEFAULT_SEED, Map.of());
    }

    /** The id of device number {@code index} (0-based) of this run. */
    public String deviceId(int index) {
        return toPlan().deviceId(index);
    }

    /** Every device id of this run, in order. */
    public List<String> deviceIds() {
        return toPlan().deviceIds();
    }

    /** The common prefix of every device id of this run. */
    public String devicePrefix() {
        return "sim-" + runId + "-";
    }

    public int readingsPerBatch() {
        return sensorsPerDevice * readingsPerSensor;
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(key + " must be a positive duration, got " + value);
        }
    }
}
