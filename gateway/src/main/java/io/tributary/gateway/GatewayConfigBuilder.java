package io.tributary.gateway;

import io.tributary.contract.InputContract;
import io.tributary.contract.Topics;
import io.tributary.gateway.auth.AuthSettings;
import java.time.Duration;
import java.util.Map;

/**
 * Builds a {@link GatewayConfig} from the defaults (or a configuration's values); {@link #build()} validates. Two
 * setters keep dependent values consistent: {@link #maxPayloadBytes(int)} raises {@code maxInFlightBytes} to twice the
 * payload if it was lower, {@link #maxInFlightBytes(long)} resets an explicit {@code pauseInFlightBytes} above it to 0.
 */
public final class GatewayConfigBuilder {

    private String mqttHost = "0.0.0.0";
    private int mqttPort = 1883;
    private String kafkaBootstrapServers = "localhost:9092";
    private String topicPrefix = Topics.DEFAULT_PREFIX;
    private int maxPayloadBytes = 256 * 1024;
    private int verticleInstances = GatewayConfig.defaultVerticleInstances();
    private int maxInFlightPerConnection = 64;
    private long maxInFlightBytes = 32L * 1024 * 1024;
    private Duration kafkaLinger = Duration.ofMillis(2);
    private Duration kafkaMaxBlock = Duration.ofSeconds(1);
    private Duration kafkaDeliveryTimeout = Duration.ofSeconds(30);
    private Duration kafkaStartupTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(30);
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Map<String, String> kafkaProperties = Map.of();
    private GatewayConfig.Authentication authentication = GatewayConfig.Authentication.NONE;
    private int httpPort = -1;
    private int maxConnections = GatewayConfig.DEFAULT_MAX_CONNECTIONS;
    private TlsSettings tls = TlsSettings.DISABLED;
    private long pauseInFlightBytes;
    private AuthSettings auth = AuthSettings.DEFAULTS;
    private InputContract inputContract = InputContract.DEFAULTS;
    private int deadLetterMaxPayloadBytes = GatewayConfig.DEFAULT_DEADLETTER_MAX_PAYLOAD_BYTES;
    private DeviceLimits deviceLimits = DeviceLimits.DEFAULTS;

    GatewayConfigBuilder() {
    }

    GatewayConfigBuilder(GatewayConfig c) {
        mqttHost = c.mqttHost();
        mqttPort = c.mqttPort();
        kafkaBootstrapServers = c.kafkaBootstrapServers();
        topicPrefix = c.topicPrefix();
        maxPayloadBytes = c.maxPayloadBytes();
        verticleInstances = c.verticleInstances();
        maxInFlightPerConnection = c.maxInFlightPerConnection();
        maxInFlightBytes = c.maxInFlightBytes();
        kafkaLinger = c.kafkaLinger();
        kafkaMaxBlock = c.kafkaMaxBlock();
        kafkaDeliveryTimeout = c.kafkaDeliveryTimeout();
        kafkaStartupTimeout = c.kafkaStartupTimeout();
        connectTimeout = c.connectTimeout();
        shutdownTimeout = c.shutdownTimeout();
        kafkaProperties = c.kafkaProperties();
        authentication = c.authentication();
        httpPort = c.httpPort();
        maxConnections = c.maxConnections();
        tls = c.tls();
        pauseInFlightBytes = c.pauseInFlightBytes();
        auth = c.auth();
        inputContract = c.inputContract();
        deadLetterMaxPayloadBytes = c.deadLetterMaxPayloadBytes();
        deviceLimits = c.deviceLimits();
    }

    public GatewayConfigBuilder mqttHost(String value) {
        mqttHost = value;
        return this;
    }

    public GatewayConfigBuilder mqttPort(int value) {
        mqttPort = value;
        return this;
    }

    public GatewayConfigBuilder kafkaBootstrapServers(String value) {
        kafkaBootstrapServers = value;
        return this;
    }

    public GatewayConfigBuilder topicPrefix(String value) {
        topicPrefix = value;
        return this;
    }

    public GatewayConfigBuilder maxPayloadBytes(int value) {
        maxPayloadBytes = value;
        maxInFlightBytes = Math.max(maxInFlightBytes, 2L * value);
        return this;
    }

    public GatewayConfigBuilder verticleInstances(int value) {
        verticleInstances = value;
        return this;
    }

    public GatewayConfigBuilder maxInFlightPerConnection(int value) {
        maxInFlightPerConnection = value;
        return this;
    }

    public GatewayConfigBuilder maxInFlightBytes(long value) {
        maxInFlightBytes = value;
        if (pauseInFlightBytes > value) {
            pauseInFlightBytes = 0;
        }
        return this;
    }

    public GatewayConfigBuilder pauseInFlightBytes(long value) {
        pauseInFlightBytes = value;
        return this;
    }

    public GatewayConfigBuilder kafkaLinger(Duration value) {
        kafkaLinger = value;
        return this;
    }

    public GatewayConfigBuilder kafkaMaxBlock(Duration value) {
        kafkaMaxBlock = value;
        return this;
    }

    public GatewayConfigBuilder kafkaDeliveryTimeout(Duration value) {
        kafkaDeliveryTimeout = value;
        return this;
    }

    public GatewayConfigBuilder kafkaStartupTimeout(Duration value) {
        kafkaStartupTimeout = value;
        return this;
    }

    public GatewayConfigBuilder connectTimeout(Duration value) {
        connectTimeout = value;
        return this;
    }

    public GatewayConfigBuilder shutdownTimeout(Duration value) {
        shutdownTimeout = value;
        return this;
    }

    public GatewayConfigBuilder kafkaProperties(Map<String, String> value) {
        kafkaProperties = value;
        return this;
    }

    public GatewayConfigBuilder authentication(GatewayConfig.Authentication value) {
        authentication = value;
        return this;
    }

    public GatewayConfigBuilder httpPort(int value) {
        httpPort = value;
        return this;
    }

    public GatewayConfigBuilder maxConnections(int value) {
        maxConnections = value;
        return this;
    }

    public GatewayConfigBuilder tls(TlsSettings value) {
        tls = value;
        return this;
    }

    public GatewayConfigBuilder auth(AuthSettings value) {
        auth = value;
        return this;
    }

    public GatewayConfigBuilder inputContract(InputContract value) {
        inputContract = value;
        return this;
    }

    public GatewayConfigBuilder deadLetterMaxPayloadBytes(int value) {
        deadLetterMaxPayloadBytes = value;
        return this;
    }

    public GatewayConfigBuilder deviceLimits(DeviceLimits value) {
        deviceLimits = value;
        return this;
    }

    public GatewayConfig build() {
        return new GatewayConfig(mqttHost, mqttPort, kafkaBootstrapServers, topicPrefix, maxPayloadBytes,
                verticleInstances, maxInFlightPerConnection, maxInFlightBytes, kafkaLinger, kafkaMaxBlock,
                kafkaDeliveryTimeout, kafkaStartupTimeout, connectTimeout, shutdownTimeout, kafkaProperties,
                authentication, httpPort, maxConnections, tls, pauseInFlightBytes, auth, inputContract,
                deadLetterMaxPayloadBytes, deviceLimits);
    }
}
