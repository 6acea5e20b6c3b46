package io.tributary.simulator.config;

import io.tributary.simulator.transport.DeviceConnectionFactory;
import io.tributary.simulator.transport.PahoDeviceConnection;
import io.tributary.simulator.transport.VertxMqttTransport;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** The command-line options that shape a fleet, shared by {@code simulator} and {@code demo} (a picocli mixin). */
public final class FleetOptions {

    @Option(names = "--devices", defaultValue = "${env:TRIBUTARY_SIM_DEVICES:-20}",
            description = "Simulated devices (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--sensors", defaultValue = "3", description = "Sensors per device (default: ${DEFAULT-VALUE}).")
    int sensors;

    @Option(names = "--interval", defaultValue = "1s", converter = Durations.Converter.class,
            description = "Batch interval of each device (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--readings-per-sensor", defaultValue = "5",
            description = "Readings of each sensor per batch (default: ${DEFAULT-VALUE}).")
    int readingsPerSensor;

    @Option(names = "--run-id", description = "Device ids are sim-RUNID-00001...; default: random.")
    String runId;

    @Option(names = "--connect-rate", defaultValue = "1000",
            description = "Devices connecting per second at start (default: ${DEFAULT-VALUE}).")
    int connectRate;

    @Option(names = "--mqtt-client", defaultValue = "vertx",
            description = "MQTT client of the devices: vertx (non-blocking, for large fleets) or paho "
                    + "(Eclipse Paho, a thread per connection) (default: ${DEFAULT-VALUE}).")
    String mqttClient;

    /** Connections of the chosen MQTT client to {@code mqttServerUri}, devices authenticating with {@code passwords}. */
    public DeviceConnectionFactory transport(String mqttServerUri, Function<String, byte[]> passwords) {
        return switch (mqttClient) {
            case "vertx" -> new VertxMqttTransport(mqttServerUri, passwords);
            case "paho" -> PahoDeviceConnection.factory(mqttServerUri, passwords);
            default -> throw new IllegalArgumentException("mqtt-client must be vertx or paho, got '" + mqttClient + "'");
        };
    }

    /** The MQTT client the devices use: {@code vertx} or {@code paho}. */
    public String mqttClient() {
        return mqttClient;
    }

    /** The fleet's configuration for publishing to {@code mqttServerUri}. */
    public SimulatorConfig toConfig(String mqttServerUri) {
        String id = runId != null ? runId
                : HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        return new SimulatorConfig(mqttServerUri, devices, id, sensors, interval, readingsPerSensor, 10,
                Duration.ofSeconds(30), connectRate);
    }
}
