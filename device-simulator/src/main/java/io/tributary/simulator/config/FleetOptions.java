package io.tributary.simulator.config;

import static java.util.Objects.requireNonNullElse;

import io.tributary.cli.DurationConverter;
import io.tributary.simulator.fleet.FleetPlan;
import io.tributary.simulator.scenario.Scenario;
import io.tributary.simulator.scenario.ScenarioLoader;
import io.tributary.simulator.transport.DeviceLinkFactory;
import io.tributary.simulator.transport.PahoDeviceLink;
import io.tributary.simulator.transport.VertxMqttTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The command-line options that shape a fleet, shared by {@code simulator} and {@code demo} (a picocli mixin): a
 * scenario (a bundled name or a file), or the fleet-shaping flags, which describe one profile of generic devices.
 * The flags have no picocli defaults so that {@link #plan} can tell whether any was given.
 */
public final class FleetOptions {

    static final int DEFAULT_DEVICES = 20;
    static final int DEFAULT_SENSORS = 3;
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    static final int DEFAULT_READINGS_PER_SENSOR = 5;

    @Option(names = "--scenario", paramLabel = "NAME|FILE",
            description = "Scenario: a bundled one (" + ScenarioLoader.BUNDLED_NAMES + ") or a YAML file of profiles, "
                    + "anomalies and a seed (see device-simulator/scenarios/); replaces --devices, --sensors, "
                    + "--interval, --readings-per-sensor and --connect-rate.")
    String scenario;

    @Option(names = "--seed", description = "Seed of every sensor value (default: the scenario's, or 1).")
    Long seed;

    @Option(names = "--devices", defaultValue = "${env:TRIBUTARY_SIM_DEVICES}",
            description = "Simulated devices (env TRIBUTARY_SIM_DEVICES; default: " + DEFAULT_DEVICES + ").")
    Integer devices;

    @Option(names = "--sensors", description = "Sensors per device (default: " + DEFAULT_SENSORS + ").")
    Integer sensors;

    @Option(names = "--interval", converter = DurationConverter.class,
            description = "Batch interval of each device (default: 1s).")
    Duration interval;

    @Option(names = "--readings-per-sensor",
            description = "Readings of each sensor per batch (default: " + DEFAULT_READINGS_PER_SENSOR + ").")
    Integer readingsPerSensor;

    @Option(names = "--label", paramLabel = "KEY=VALUE",
            description = "A label of every device of the flags' fleet, written to the device metadata with "
                    + "--provision (repeatable; a scenario gives each profile its labels).")
    Map<String, String> labels;

    @Option(names = "--run-id", description = "Device ids are sim-RUNID-00001...; default: random.")
    String runId;

    @Option(names = "--connect-rate",
            description = "Devices connecting per second at start (default: " + Scenario.DEFAULT_CONNECT_RATE
                    + ").")
    Integer connectRate;

    @Option(names = "--mqtt-client", defaultValue = "vertx",
            description = "MQTT client of the devices: vertx (non-blocking, for large fleets) or paho "
                    + "(Eclipse Paho, a thread per connection) (default: ${DEFAULT-VALUE}).")
    String mqttClient;

    /** Connections of the chosen MQTT client to {@code mqttServerUri}, devices authenticating with {@code passwords}. */
    public DeviceLinkFactory transport(String mqttServerUri, Function<String, byte[]> passwords) {
        return switch (mqttClient) {
            case "vertx" -> new VertxMqttTransport(mqttServerUri, passwords);
            case "paho" -> PahoDeviceLink.factory(mqttServerUri, passwords);
            default -> throw new IllegalArgumentException("mqtt-client must be vertx or paho, got '" + mqttClient + "'");
        };
    }

    /** The MQTT client the devices use: {@code vertx} or {@code paho}. */
    public String mqttClient() {
        return mqttClient;
    }

    /** The fleet the flags describe (defaults for those not given), publishing to {@code mqttServerUri}. */
    public SimulatorConfig toConfig(String mqttServerUri) {
        String id = runId != null ? runId
                : HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        return new SimulatorConfig(mqttServerUri, requireNonNullElse(devices, DEFAULT_DEVICES), id,
                requireNonNullElse(sensors, DEFAULT_SENSORS), requireNonNullElse(interval, DEFAULT_INTERVAL),
                requireNonNullElse(readingsPerSensor, DEFAULT_READINGS_PER_SENSOR), 10, Duration.ofSeconds(30),
                requireNonNullElse(connectRate, Scenario.DEFAULT_CONNECT_RATE));
    }

    /**
     * The fleet to run: the {@code --scenario}, else the flags if any was given, else {@code defaultScenario} (a
     * bundled name or file; null = the flags' defaults).
     *
     * @throws IllegalArgumentException for a scenario combined with fleet flags, or a scenario that does not load
     */
    public FleetPlan plan(String mqttServerUri, String defaultScenario) {
        SimulatorConfig flags = toConfig(mqttServerUri);
        List<String> given = fleetFlagsGiven();
        if (scenario != null && !given.isEmpty()) {
            throw new IllegalArgumentException(given.get(0) + " cannot be combined with --scenario: set it in the "
                    + "scenario file");
        }
        String chosen = scenario != null ? scenario : given.isEmpty() ? defaultScenario : null;
        if (chosen == null) {
            return flags.toPlan(requireNonNullElse(seed, Scenario.DEFAULT_SEED),
                    requireNonNullElse(labels, Map.of()));
        }
        Scenario loaded;
        try {
            loaded = ScenarioLoader.resolve(chosen);
        } catch (ScenarioLoader.InvalidScenarioException e) {
            throw new IllegalArgumentException("invalid scenario: " + e.getMessage(), e);
        }
        if (seed != null) {
            loaded = new Scenario(loaded.name(), seed, loaded.connectRate(), loaded.profiles(), loaded.anomalies());
        }
        return new FleetPlan(mqttServerUri, flags.runId(), loaded, flags.maxInflightPerDevice(),
                flags.publishTimeout());
    }

    private List<String> fleetFlagsGiven() {
        List<String> given = new ArrayList<>();
        addIfSet(given, "--devices", devices);
        addIfSet(given, "--sensors", sensors);
        addIfSet(given, "--interval", interval);
        addIfSet(given, "--readings-per-sensor", readingsPerSensor);
        addIfSet(given, "--connect-rate", connectRate);
        addIfSet(given, "--label", labels);
        return given;
    }

    private static void addIfSet(List<String> given, String flag, Object value) {
        if (value != null) {
            given.add(flag);
        }
    }
}
