package io.tributary.gateway;

import io.tributary.gateway.auth.AuthSettings;
import io.tributary.contract.InputContract;
import io.tributary.contract.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Everything the gateway needs to run, validated once. Each component is described at its {@code GatewayMain} option
 * ({@code GatewayOptions}); every bad value is rejected with a message naming the component and that option.
 *
 * @param maxInFlightBytes payload bytes handed to Kafka and unacknowledged at most; beyond it publishes are refused
 *     as overload (MQTT 5 reason 0x97) so the producer's buffer never fills and never blocks
 * @param kafkaMaxBlock {@code max.block.ms}: a safety net, the gateway keeps metadata warm and in-flight bytes
 *     bounded so {@code send()} does not block the event loop
 * @param kafkaProperties may not override the delivery guarantees ({@link #RESERVED_KAFKA_PROPERTIES})
 */
public record GatewayConfig(
        String mqttHost,
        int mqttPort,
        String kafkaBootstrapServers,
        String topicPrefix,
        int maxPayloadBytes,
        int verticleInstances,
        int maxInFlightPerConnection,
        long maxInFlightBytes,
        Duration kafkaLinger,
        Duration kafkaMaxBlock,
        Duration kafkaDeliveryTimeout,
        Duration kafkaStartupTimeout,
        Duration connectTimeout,
        Duration shutdownTimeout,
        Map<String, String> kafkaProperties,
        Authentication authentication,
        int httpPort,
        int maxConnections,
        TlsSettings tls,
        long pauseInFlightBytes,
        AuthSettings auth,
        InputContract inputContract,
        int deadLetterMaxPayloadBytes,
        DeviceLimits deviceLimits) {

    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;

    public enum Authentication {
        /** User name = device id, password = the secret the registry issued; others are refused. */
        REGISTRY,
        /** No credentials checked (id = user name, else client id): the demo and tests only, logged as a warning. */
        NONE
    }

    /** Bound of {@link #maxPayloadBytes}: a dead letter (payload plus headers) must fit Kafka's 1 MiB default. */
    public static final int MAX_PAYLOAD_BYTES_LIMIT = 1024 * 1024 - 64 * 1024;

    /** Default {@link #deadLetterMaxPayloadBytes}: 64 KiB, enough to see what a device sent. */
    public static final int DEFAULT_DEADLETTER_MAX_PAYLOAD_BYTES = 64 * 1024;

    /** Producer properties the gateway owns: they carry its delivery guarantee. */
    public static final Set<String> RESERVED_KAFKA_PROPERTIES = Set.of("acks", "enable.idempotence",
            "key.serializer", "value.serializer", "bootstrap.servers", "max.block.ms", "delivery.timeout.ms",
            "linger.ms", "buffer.memory", "max.request.size", "retries");

    public GatewayConfig {
        requireText(mqttHost, "mqttHost (--mqtt-host)");
        Checks.range(mqttPort, 0, 65535, "mqttPort (--mqtt-port)");
        requireText(kafkaBootstrapServers, "kafkaBootstrapServers (--kafka-bootstrap)");
        try {
            new Topics(topicPrefix);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("topicPrefix (--topic-prefix): " + e.getMessage(), e);
        }
        Checks.range(maxPayloadBytes, 1, MAX_PAYLOAD_BYTES_LIMIT, "maxPayloadBytes (--max-payload-bytes)");
        Checks.range(verticleInstances, 1, 256, "verticleInstances (--instances)");
        Checks.range(maxInFlightPerConnection, 1, 65535, "maxInFlightPerConnection (--max-inflight-per-connection)");
        if (maxInFlightBytes < 2L * maxPayloadBytes) {
            throw new IllegalArgumentException("maxInFlightBytes (--max-inflight-bytes) must be at least twice"
                    + " maxPayloadBytes (" + 2L * maxPayloadBytes + "), got " + maxInFlightBytes);
        }
        Checks.atLeast(kafkaLinger, Duration.ZERO, "kafkaLinger (--kafka-linger)");
        Checks.atLeast(kafkaMaxBlock, Duration.ofMillis(1), "kafkaMaxBlock (--kafka-max-block)");
        Checks.atLeast(kafkaDeliveryTimeout, Duration.ofMillis(1), "kafkaDeliveryTimeout (--kafka-delivery-timeout)");
        if (kafkaDeliveryTimeout.compareTo(kafkaLinger.plusMillis(100)) < 0) {
            throw new IllegalArgumentException("kafkaDeliveryTimeout (--kafka-delivery-timeout) must exceed"
                    + " kafkaLinger by at least 100 ms, got " + kafkaDeliveryTimeout);
        }
        Checks.atLeast(kafkaStartupTimeout, Duration.ofMillis(1), "kafkaStartupTimeout (--kafka-startup-timeout)");
        Checks.atLeast(connectTimeout, Duration.ofSeconds(1), "connectTimeout (--connect-timeout)");
        Checks.atLeast(shutdownTimeout, Duration.ZERO, "shutdownTimeout (--shutdown-timeout)");
        Checks.present(kafkaProperties, "kafkaProperties (--kafka-property)");
        for (String key : kafkaProperties.keySet()) {
            if (RESERVED_KAFKA_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException("kafkaProperties (--kafka-property) must not set '" + key
                        + "': the gateway sets it (see GatewayConfig for the typed option)");
            }
        }
        kafkaProperties = Map.copyOf(kafkaProperties);
        Checks.present(authentication, "authentication (--authentication)");
        if (httpPort < -1 || httpPort > 65535) {
            throw new IllegalArgumentException("httpPort (--http-port) must be -1 (off), 0 (any) or 1..65535, got "
                    + httpPort);
        }
        Checks.atLeast(maxConnections, 1, "maxConnections (--max-connections)");
        Checks.present(tls, "tls (TlsSettings.DISABLED for none)");
        if (pauseInFlightBytes < 0 || pauseInFlightBytes > maxInFlightBytes) {
            throw new IllegalArgumentException("pauseInFlightBytes (--pause-inflight-bytes) must be 0 (half of"
                    + " --max-inflight-bytes) or 1.." + maxInFlightBytes + " (--max-inflight-bytes), got "
                    + pauseInFlightBytes);
        }
        Checks.present(auth, "auth (AuthSettings.DEFAULTS for the defaults)");
        Checks.present(inputContract, "inputContract (--max-event-age, --max-event-future, --max-sensor-name-length,"
                + " --max-unit-length, --max-readings-per-batch, --max-sensors-per-device; InputContract.DEFAULTS)");
        Checks.range(deadLetterMaxPayloadBytes, 0, MAX_PAYLOAD_BYTES_LIMIT,
                "deadLetterMaxPayloadBytes (--deadletter-max-payload-bytes)");
        Checks.present(deviceLimits, "deviceLimits (DeviceLimits.DEFAULTS for the defaults)");
        if (deviceLimits.byteRate() > 0 && deviceLimits.byteBurst() < maxPayloadBytes) {
            throw new IllegalArgumentException("deviceLimits.byteBurst (--device-byte-burst) must be at least"
                    + " maxPayloadBytes (--max-payload-bytes, " + maxPayloadBytes + ") or a payload of that size could"
                    + " never pass, got " + deviceLimits.byteBurst());
        }
    }

    /** {@link #pauseInFlightBytes}, or half of {@link #maxInFlightBytes} when that is 0. */
    public long pauseReadingAtBytes() {
        return pauseInFlightBytes == 0 ? Math.max(1, maxInFlightBytes / 2) : pauseInFlightBytes;
    }

    /** The library defaults (no authentication, no HTTP endpoint); {@code GatewayMain} sets its own. */
    public static GatewayConfig defaults() {
        return builder().build();
    }

    public static GatewayConfigBuilder builder() {
        return new GatewayConfigBuilder();
    }

    public GatewayConfigBuilder toBuilder() {
        return new GatewayConfigBuilder(this);
    }

    /**
     * One event loop per two cores, at least one: the producer's I/O thread and the hand-over thread take about a
     * third of the gateway's CPU beside the loops, and each loop wakes separately for its share of the connections.
     * Measured on 2 cores shared with Kafka (2026-12-06): one loop used 27 % less CPU than two at 35,000 msgs/s, with
     * PUBACK p99 40 ms instead of 89 ms, and reached the same maximum rate.
     */
    public static int defaultVerticleInstances() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /** The properties of the Kafka clients besides the producer (registry consumer, health check); a new map. */
    public Map<String, Object> kafkaClientProperties() {
        Map<String, Object> kafka = new HashMap<>(kafkaProperties);
        kafka.put("bootstrap.servers", kafkaBootstrapServers);
        return kafka;
    }

    /** The input contract of the given limits; an error names the {@code GatewayMain} option of the bad limit. */
    public static InputContract inputContract(Duration maxEventAge, Duration maxEventFuture, int maxSensorNameLength,
            int maxUnitLength, int maxReadingsPerBatch, int maxSensorsPerDevice) {
        try {
            return new InputContract(maxEventAge, maxEventFuture, maxSensorNameLength, maxUnitLength,
                    maxReadingsPerBatch, maxSensorsPerDevice);
        } catch (IllegalArgumentException | NullPointerException e) {
            String message = String.valueOf(e.getMessage());
            String component = message.split(" ", 2)[0];
            String option = CONTRACT_OPTIONS.get(component);
            throw new IllegalArgumentException(option == null || !message.startsWith(component + " ") ? message
                    : component + " (" + option + ")" + message.substring(component.length()), e);
        }
    }

    private static final Map<String, String> CONTRACT_OPTIONS = Map.of("maxEventAge", "--max-event-age",
            "maxEventFuture", "--max-event-future", "maxSensorNameLength", "--max-sensor-name-length",
            "maxUnitLength", "--max-unit-length", "maxReadingsPerBatch", "--max-readings-per-batch",
            "maxSensorsPerDevice", "--max-sensors-per-device");

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }
}
