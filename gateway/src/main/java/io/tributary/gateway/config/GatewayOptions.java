package io.tributary.gateway.config;

import io.tributary.cli.DurationConverter;
import io.tributary.cli.KafkaOptions;
import io.tributary.common.KafkaClientConfig;
import io.tributary.gateway.DeviceLimits;
import io.tributary.gateway.GatewayConfig;
import io.tributary.gateway.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The gateway's command-line options (each with its environment variable and YAML key) and their mapping to a
 * validated {@link GatewayConfig}.
 */
public final class GatewayOptions {

    @Option(names = "--mqtt-host", defaultValue = "${env:TRIBUTARY_MQTT_HOST:-0.0.0.0}",
            description = "Interface the MQTT server binds to (env TRIBUTARY_MQTT_HOST; default ${DEFAULT-VALUE}).")
    String mqttHost;

    @Option(names = "--mqtt-port", defaultValue = "${env:TRIBUTARY_MQTT_PORT:-1883}",
            description = "MQTT port, 0 for any free one (env TRIBUTARY_MQTT_PORT; default ${DEFAULT-VALUE}).")
    int mqttPort;

    @Option(names = "--kafka-bootstrap", defaultValue = "${env:TRIBUTARY_KAFKA_BOOTSTRAP}",
            description = "Kafka bootstrap servers (env TRIBUTARY_KAFKA_BOOTSTRAP; default: bootstrap.servers of"
                    + " --kafka-config, else localhost:9092).")
    String kafkaBootstrap;

    @Option(names = "--topic-prefix", defaultValue = "${env:TRIBUTARY_TOPIC_PREFIX:-tributary.}",
            description = "Prefix of the Kafka topics (env TRIBUTARY_TOPIC_PREFIX; default ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--max-payload-bytes", defaultValue = "${env:TRIBUTARY_MAX_PAYLOAD_BYTES:-262144}",
            description = "Largest PUBLISH payload accepted (env TRIBUTARY_MAX_PAYLOAD_BYTES; default ${DEFAULT-VALUE}).")
    int maxPayloadBytes;

    @Option(names = "--instances", defaultValue = "${env:TRIBUTARY_GATEWAY_INSTANCES:-0}",
            description = "MQTT server verticles (event loops) sharing the port; 0 = one per two CPU cores, at least one"
                    + " (env TRIBUTARY_GATEWAY_INSTANCES; default ${DEFAULT-VALUE}).")
    int instances;

    @Option(names = "--max-inflight-per-connection",
            defaultValue = "${env:TRIBUTARY_MAX_INFLIGHT_PER_CONNECTION:-64}",
            description = "Unacknowledged QoS 1 publishes per connection (MQTT 5 Receive Maximum; default ${DEFAULT-VALUE}).")
    int maxInFlightPerConnection;

    @Option(names = "--max-inflight-bytes", defaultValue = "${env:TRIBUTARY_MAX_INFLIGHT_BYTES:-33554432}",
            description = "Bytes waiting for Kafka's acknowledgement at most (a hard cap behind"
                    + " --pause-inflight-bytes); beyond it devices get 'quota exceeded'"
                    + " (env TRIBUTARY_MAX_INFLIGHT_BYTES; default ${DEFAULT-VALUE}).")
    long maxInFlightBytes;

    @Option(names = "--pause-inflight-bytes", defaultValue = "${env:TRIBUTARY_PAUSE_INFLIGHT_BYTES:-0}",
            description = "Backpressure: with this many bytes waiting for Kafka, connections that publish stop reading"
                    + " their sockets until it halved; 0 = half of --max-inflight-bytes"
                    + " (env TRIBUTARY_PAUSE_INFLIGHT_BYTES; default ${DEFAULT-VALUE}).")
    long pauseInFlightBytes;

    @Option(names = "--kafka-linger", defaultValue = "${env:TRIBUTARY_KAFKA_LINGER:-2ms}",
            converter = DurationConverter.class,
            description = "Producer linger.ms (default ${DEFAULT-VALUE}).")
    Duration kafkaLinger;

    @Option(names = "--kafka-max-block", defaultValue = "${env:TRIBUTARY_KAFKA_MAX_BLOCK:-1s}",
            converter = DurationConverter.class,
            description = "Producer max.block.ms (default ${DEFAULT-VALUE}).")
    Duration kafkaMaxBlock;

    @Option(names = "--kafka-delivery-timeout", defaultValue = "${env:TRIBUTARY_KAFKA_DELIVERY_TIMEOUT:-30s}",
            converter = DurationConverter.class,
            description = "Producer delivery.timeout.ms: how long a device may wait for its PUBACK before it gets a"
                    + " failure (default ${DEFAULT-VALUE}).")
    Duration kafkaDeliveryTimeout;

    @Option(names = "--kafka-startup-timeout", defaultValue = "${env:TRIBUTARY_KAFKA_STARTUP_TIMEOUT:-30s}",
            converter = DurationConverter.class,
            description = "How long to wait for Kafka at startup (default ${DEFAULT-VALUE}).")
    Duration kafkaStartupTimeout;

    @Option(names = "--connect-timeout", defaultValue = "${env:TRIBUTARY_MQTT_CONNECT_TIMEOUT:-30s}",
            converter = DurationConverter.class,
            description = "Time a new connection has to send CONNECT (default ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--shutdown-timeout", defaultValue = "${env:TRIBUTARY_SHUTDOWN_TIMEOUT:-10s}",
            converter = DurationConverter.class,
            description = "How long shutdown waits for in-flight Kafka sends (default ${DEFAULT-VALUE}).")
    Duration shutdownTimeout;

    @Option(names = "--authentication", defaultValue = "${env:TRIBUTARY_GATEWAY_AUTHENTICATION:-registry}",
            converter = AuthenticationConverter.class,
            description = "registry (user name = device id, password = secret from `devices add`) or none"
                    + " (no check: development only) (env TRIBUTARY_GATEWAY_AUTHENTICATION; default ${DEFAULT-VALUE}).")
    GatewayConfig.Authentication authentication;

    @Option(names = "--http-port", defaultValue = "${env:TRIBUTARY_GATEWAY_HTTP_PORT:-9883}",
            description = "Port of /metrics, /health/live and /health/ready; 0 = any free one, -1 = off"
                    + " (env TRIBUTARY_GATEWAY_HTTP_PORT; default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--max-connections", defaultValue = "${env:TRIBUTARY_GATEWAY_MAX_CONNECTIONS:-20000}",
            description = "Device connections at most; more CONNECTs are refused (MQTT 5: 0x97 quota exceeded)"
                    + " (env TRIBUTARY_GATEWAY_MAX_CONNECTIONS; default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--tls-port", defaultValue = "${env:TRIBUTARY_MQTT_TLS_PORT:-8883}",
            description = "MQTT over TLS port, used when --tls-cert and --tls-key are given (env TRIBUTARY_MQTT_TLS_PORT;"
                    + " default ${DEFAULT-VALUE}).")
    int tlsPort;

    @Option(names = "--tls-cert", defaultValue = "${env:TRIBUTARY_MQTT_TLS_CERT}",
            description = "PEM file with the server certificate chain; enables the TLS listener (env TRIBUTARY_MQTT_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", defaultValue = "${env:TRIBUTARY_MQTT_TLS_KEY}",
            description = "PEM file with the server's private key (env TRIBUTARY_MQTT_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--tls-client-ca", defaultValue = "${env:TRIBUTARY_MQTT_TLS_CLIENT_CA}",
            description = "PEM file with the CA(s) of device certificates: requires mutual TLS on the TLS port, the"
                    + " certificate's CN is the device id (env TRIBUTARY_MQTT_TLS_CLIENT_CA).")
    Path tlsClientCa;

    @Option(names = "--plain-mqtt", negatable = true, defaultValue = "${env:TRIBUTARY_MQTT_PLAIN:-true}",
            fallbackValue = "true",
            description = "Whether the plain MQTT listener runs beside TLS; --no-plain-mqtt serves TLS only"
                    + " (env TRIBUTARY_MQTT_PLAIN; default ${DEFAULT-VALUE}).")
    boolean plainMqtt;

    // The input contract: env names without GATEWAY_, the processor checks the same contract.
    @Option(names = "--max-event-age", defaultValue = "${env:TRIBUTARY_MAX_EVENT_AGE:-30d}",
            converter = DurationConverter.class,
            description = "Oldest event time accepted, before the gateway's clock: agents"
                    + " replay days of outbox after an outage (env TRIBUTARY_MAX_EVENT_AGE; default ${DEFAULT-VALUE}).")
    Duration maxEventAge;

    @Option(names = "--max-event-future", defaultValue = "${env:TRIBUTARY_MAX_EVENT_FUTURE:-5m}",
            converter = DurationConverter.class,
            description = "Latest event time accepted, after the gateway's clock"
                    + " (env TRIBUTARY_MAX_EVENT_FUTURE; default ${DEFAULT-VALUE}).")
    Duration maxEventFuture;

    @Option(names = "--max-sensor-name-length", defaultValue = "${env:TRIBUTARY_MAX_SENSOR_NAME_LENGTH:-128}",
            description = "Longest sensor name (ASCII letters, digits and ._-:/) (env TRIBUTARY_MAX_SENSOR_NAME_LENGTH;"
                    + " default ${DEFAULT-VALUE}).")
    int maxSensorNameLength;

    @Option(names = "--max-unit-length", defaultValue = "${env:TRIBUTARY_MAX_UNIT_LENGTH:-32}",
            description = "Longest unit in UTF-8 bytes (env TRIBUTARY_MAX_UNIT_LENGTH; default ${DEFAULT-VALUE}).")
    int maxUnitLength;

    @Option(names = "--max-readings-per-batch", defaultValue = "${env:TRIBUTARY_MAX_READINGS_PER_BATCH:-10000}",
            description = "Most readings in one batch (env TRIBUTARY_MAX_READINGS_PER_BATCH;"
                    + " default ${DEFAULT-VALUE}).")
    int maxReadingsPerBatch;

    @Option(names = "--max-sensors-per-device", defaultValue = "${env:TRIBUTARY_MAX_SENSORS_PER_DEVICE:-256}",
            description = "Most distinct sensor names per device, i.e. series per device (env"
                    + " TRIBUTARY_MAX_SENSORS_PER_DEVICE; default ${DEFAULT-VALUE}).")
    int maxSensorsPerDevice;

    @Option(names = "--deadletter-max-payload-bytes",
            defaultValue = "${env:TRIBUTARY_GATEWAY_DEADLETTER_MAX_PAYLOAD_BYTES:-65536}",
            description = "How much of a refused payload its dead-letter record keeps; longer ones are cut, headers"
                    + " tell the original size (env TRIBUTARY_GATEWAY_DEADLETTER_MAX_PAYLOAD_BYTES;"
                    + " default ${DEFAULT-VALUE}).")
    int deadLetterMaxPayloadBytes;

    @Option(names = "--device-publish-rate", defaultValue = "${env:TRIBUTARY_DEVICE_PUBLISH_RATE:-1000}",
            description = "PUBLISH packets per second one device may send on average, 0 = no limit; beyond it MQTT 5"
                    + " gets PUBACK 0x97, MQTT 3.1.1 a closed connection, QoS 0 is dropped"
                    + " (env TRIBUTARY_DEVICE_PUBLISH_RATE; default ${DEFAULT-VALUE}).")
    double devicePublishRate;

    @Option(names = "--device-publish-burst", defaultValue = "${env:TRIBUTARY_DEVICE_PUBLISH_BURST:-2000}",
            description = "PUBLISH packets a device may send at once above --device-publish-rate"
                    + " (env TRIBUTARY_DEVICE_PUBLISH_BURST; default ${DEFAULT-VALUE}).")
    int devicePublishBurst;

    @Option(names = "--device-byte-rate", defaultValue = "${env:TRIBUTARY_DEVICE_BYTE_RATE:-2097152}",
            description = "Payload bytes per second one device may send on average, 0 = no limit"
                    + " (env TRIBUTARY_DEVICE_BYTE_RATE; default ${DEFAULT-VALUE}).")
    long deviceByteRate;

    @Option(names = "--device-byte-burst", defaultValue = "${env:TRIBUTARY_DEVICE_BYTE_BURST:-8388608}",
            description = "Payload bytes a device may send at once, at least --max-payload-bytes"
                    + " (env TRIBUTARY_DEVICE_BYTE_BURST; default ${DEFAULT-VALUE}).")
    long deviceByteBurst;

    @Option(names = "--max-pending-connects", defaultValue = "${env:TRIBUTARY_MAX_PENDING_CONNECTS:-1000}",
            description = "TCP connections that have not sent CONNECT yet, at most; more are closed at once"
                    + " (env TRIBUTARY_MAX_PENDING_CONNECTS; default ${DEFAULT-VALUE}).")
    int maxPendingConnects;

    @Option(names = "--max-pending-connects-per-address",
            defaultValue = "${env:TRIBUTARY_MAX_PENDING_CONNECTS_PER_ADDRESS:-64}",
            description = "Of the connections that have not sent CONNECT yet, at most this many from one address"
                    + " (IPv6: one /64); more are closed at once"
                    + " (env TRIBUTARY_MAX_PENDING_CONNECTS_PER_ADDRESS; default ${DEFAULT-VALUE}).")
    int maxPendingConnectsPerAddress;

    @Option(names = "--max-unread-bytes-per-connection",
            defaultValue = "${env:TRIBUTARY_MAX_UNREAD_BYTES_PER_CONNECTION:-262144}",
            description = "Answers a connection may leave unread before it is closed (a device that does not read its"
                    + " socket) (env TRIBUTARY_MAX_UNREAD_BYTES_PER_CONNECTION; default ${DEFAULT-VALUE}).")
    int maxUnreadBytesPerConnection;

    @Mixin
    AuthOptions auth = new AuthOptions();

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    /** Where {@code TRIBUTARY_KAFKA_*} client properties are read from. */
    Map<String, String> environment = System.getenv();

    /**
     * The validated configuration of the parsed options.
     *
     * @param yaml the config file's values, for its {@code kafka-property} map; null without a file
     * @throws IllegalArgumentException naming the option of the first bad value
     */
    public GatewayConfig toConfig(YamlDefaults yaml) {
        int verticles = instances == 0 ? GatewayConfig.defaultVerticleInstances() : instances;
        KafkaClientConfig kafkaClient = kafkaClient(yaml);
        return new GatewayConfig(mqttHost, mqttPort, kafkaClient.bootstrap(), topicPrefix, maxPayloadBytes, verticles,
                maxInFlightPerConnection, maxInFlightBytes, kafkaLinger, kafkaMaxBlock, kafkaDeliveryTimeout,
                kafkaStartupTimeout, connectTimeout, shutdownTimeout, kafkaClient.properties(), authentication, httpPort,
                maxConnections, tls(), pauseInFlightBytes, auth.toSettings(),
                GatewayConfig.inputContract(maxEventAge, maxEventFuture, maxSensorNameLength, maxUnitLength,
                        maxReadingsPerBatch, maxSensorsPerDevice),
                deadLetterMaxPayloadBytes, deviceLimits());
    }

    private DeviceLimits deviceLimits() {
        return new DeviceLimits(devicePublishRate, devicePublishBurst, deviceByteRate, deviceByteBurst,
                maxPendingConnects, maxUnreadBytesPerConnection, maxPendingConnectsPerAddress);
    }

    /** The YAML file's {@code kafka-property} map is the file spelling of {@code --kafka-property}: below it. */
    private KafkaClientConfig kafkaClient(YamlDefaults yaml) {
        Map<String, String> explicit = new LinkedHashMap<>(yaml == null ? Map.of() : yaml.map("kafka-property"));
        explicit.putAll(kafka.properties);
        return KafkaClientConfig.resolve(kafka.file, environment, explicit, kafkaBootstrap);
    }

    private TlsSettings tls() {
        int port = tlsCert == null && tlsKey == null ? -1 : tlsPort;
        return new TlsSettings(port, tlsCert, tlsKey, tlsClientCa, plainMqtt);
    }

    /** Accepts {@code registry} / {@code none} in any case. */
    static final class AuthenticationConverter implements CommandLine.ITypeConverter<GatewayConfig.Authentication> {
        @Override
        public GatewayConfig.Authentication convert(String value) {
            try {
                return GatewayConfig.Authentication.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("--authentication must be 'registry' or 'none', got '"
                        + value + "'");
            }
        }
    }
}
