package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

    @Test
    void defaultsFollowTheConventions() {
        GatewayConfig config = GatewayConfig.defaults();

        assertThat(config.mqttHost()).isEqualTo("0.0.0.0");
        assertThat(config.mqttPort()).isEqualTo(1883);
        assertThat(config.topicPrefix()).isEqualTo("tributary.");
        assertThat(config.maxPayloadBytes()).isEqualTo(256 * 1024);
        assertThat(config.verticleInstances()).isPositive();
        assertThat(config.telemetryTopic()).isEqualTo("tributary.telemetry");
        assertThat(config.deadLetterTopic()).isEqualTo("tributary.deadletter");
        assertThat(config.deviceStatusTopic()).isEqualTo("tributary.device-status");
    }

    @Test
    void witherChangesOneValue() {
        GatewayConfig config = GatewayConfig.defaults().withMqttPort(0).withTopicPrefix("t1.");

        assertThat(config.mqttPort()).isZero();
        assertThat(config.telemetryTopic()).isEqualTo("t1.telemetry");
        assertThat(config.mqttHost()).isEqualTo("0.0.0.0");
    }

    @Test
    void raisingThePayloadLimitKeepsInFlightBytesConsistent() {
        GatewayConfig config = GatewayConfig.defaults().withMaxInFlightBytes(1_000_000).withMaxPayloadBytes(900_000);

        assertThat(config.maxInFlightBytes()).isEqualTo(1_800_000);
    }

    @Test
    void pausesReadingAtHalfTheHardLimitUnlessToldOtherwise() {
        GatewayConfig d = GatewayConfig.defaults();
        assertThat(d.pauseInFlightBytes()).isZero();
        assertThat(d.pauseReadingAtBytes()).isEqualTo(d.maxInFlightBytes() / 2);

        assertThat(d.withPauseInFlightBytes(1_000_000).pauseReadingAtBytes()).isEqualTo(1_000_000);
        // Lowering the hard limit below an explicit mark falls back to half of the new limit, never above it
        GatewayConfig lowered = d.withPauseInFlightBytes(8_000_000).withMaxInFlightBytes(4_000_000);
        assertThat(lowered.pauseReadingAtBytes()).isEqualTo(2_000_000);
        assertRejected(() -> d.withPauseInFlightBytes(-1), "--pause-inflight-bytes");
        assertRejected(() -> d.withPauseInFlightBytes(d.maxInFlightBytes() + 1), "--pause-inflight-bytes");
    }

    @Test
    void rejectsBadValuesNamingTheOption() {
        GatewayConfig d = GatewayConfig.defaults();
        assertRejected(() -> d.withMqttPort(70_000), "--mqtt-port");
        assertRejected(() -> d.withMqttHost(" "), "--mqtt-host");
        assertRejected(() -> d.withKafkaBootstrapServers(""), "--kafka-bootstrap");
        assertRejected(() -> d.withTopicPrefix("bad prefix/"), "--topic-prefix");
        assertRejected(() -> d.withMaxPayloadBytes(0), "--max-payload-bytes");
        assertRejected(() -> d.withMaxPayloadBytes(GatewayConfig.MAX_PAYLOAD_BYTES_LIMIT + 1), "--max-payload-bytes");
        assertRejected(() -> d.withVerticleInstances(0), "--instances");
        assertRejected(() -> d.withMaxInFlightPerConnection(0), "--max-inflight-per-connection");
        assertRejected(() -> d.withMaxInFlightBytes(10), "--max-inflight-bytes");
        assertRejected(() -> d.withKafkaLinger(Duration.ofMillis(-1)), "--kafka-linger");
        assertRejected(() -> d.withKafkaDeliveryTimeout(Duration.ofMillis(50)), "--kafka-delivery-timeout");
        assertRejected(() -> d.withShutdownTimeout(null), "--shutdown-timeout");
        assertRejected(() -> d.withKafkaProperties(Map.of("acks", "1")), "--kafka-property");
        assertRejected(() -> d.withKafkaProperties(Map.of("enable.idempotence", "false")), "enable.idempotence");
        assertRejected(() -> d.withHttpPort(-2), "--http-port");
        assertRejected(() -> d.withHttpPort(70000), "--http-port");
        assertRejected(() -> d.withMaxConnections(0), "--max-connections");
        assertRejected(() -> d.withAuthentication(null), "--authentication");
        assertRejected(() -> new TlsSettings(70000, Path.of("c"), Path.of("k"), null, true), "--tls-port");
        assertRejected(() -> new TlsSettings(8883, null, Path.of("k"), null, true), "--tls-cert");
        assertRejected(() -> new TlsSettings(-1, null, null, null, false), "--no-plain-mqtt");
        assertRejected(() -> new TlsSettings(-1, null, null, Path.of("ca"), true), "--tls-client-ca");
    }

    @Test
    void keepsTheLibraryDefaultsOfTheFirstSlice() {
        GatewayConfig d = GatewayConfig.defaults();

        assertThat(d.authentication()).isEqualTo(GatewayConfig.Authentication.NONE);
        assertThat(d.httpPort()).isEqualTo(-1);
        assertThat(d.tls().enabled()).isFalse();
        assertThat(d.tls().plainEnabled()).isTrue();
        assertThat(d.maxConnections()).isEqualTo(GatewayConfig.DEFAULT_MAX_CONNECTIONS);
        assertThat(d.devicesTopic()).isEqualTo("tributary.devices");
        assertThat(d.deviceConfigTopic()).isEqualTo("tributary.device-config");
        assertThat(d.withAuthentication(GatewayConfig.Authentication.REGISTRY).withMqttPort(7).mqttPort()).isEqualTo(7);
        assertThat(d.withMqttPort(7).withAuthentication(GatewayConfig.Authentication.REGISTRY).authentication())
                .isEqualTo(GatewayConfig.Authentication.REGISTRY);
    }

    @Test
    void copiesKafkaProperties() {
        Map<String, String> props = new HashMap<>(Map.of("security.protocol", "SSL"));
        GatewayConfig config = GatewayConfig.defaults().withKafkaProperties(props);
        props.put("other", "x");

        assertThat(config.kafkaProperties()).containsOnlyKeys("security.protocol");
    }

    @Test
    void allowsAnEmptyTopicPrefix() {
        assertThat(GatewayConfig.defaults().withTopicPrefix("").telemetryTopic()).isEqualTo("telemetry");
    }

    private static void assertRejected(Runnable build, String option) {
        assertThatThrownBy(build::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(option);
    }

    // ---- issue 17: the input contract ----

    @Test
    void carriesTheInputContractThroughEveryWither() {
        io.tributary.contract.InputContract strict = io.tributary.contract.InputContract.DEFAULTS
                .withMaxSensorsPerDevice(3);
        GatewayConfig config = GatewayConfig.defaults().withInputContract(strict).withDeadLetterMaxPayloadBytes(99);

        GatewayConfig changed = config.withMqttPort(1).withMaxInFlightBytes(64L * 1024 * 1024).withPauseInFlightBytes(0)
                .withTls(TlsSettings.DISABLED).withMaxConnections(5).withHttpPort(-1);

        assertThat(changed.inputContract()).isEqualTo(strict);
        assertThat(changed.deadLetterMaxPayloadBytes()).isEqualTo(99);
        assertThat(GatewayConfig.defaults().inputContract()).isEqualTo(io.tributary.contract.InputContract.DEFAULTS);
        assertThat(GatewayConfig.defaults().deadLetterMaxPayloadBytes()).isEqualTo(64 * 1024);
    }

    @Test
    void rejectsBadContractValuesNamingTheOption() {
        assertRejected(() -> GatewayConfig.defaults().withInputContract(null), "--max-event-age");
        assertRejected(() -> GatewayConfig.defaults().withDeadLetterMaxPayloadBytes(-1),
                "--deadletter-max-payload-bytes");
        assertRejected(() -> GatewayConfig.defaults().withDeadLetterMaxPayloadBytes(2 * 1024 * 1024),
                "--deadletter-max-payload-bytes");
        assertRejected(() -> GatewayConfig.inputContract(java.time.Duration.ofDays(30), java.time.Duration.ofMinutes(5),
                128, 32, 10_000, 0), "maxSensorsPerDevice (--max-sensors-per-device)");
        assertRejected(() -> GatewayConfig.inputContract(null, java.time.Duration.ofMinutes(5), 128, 32, 10_000, 1),
                "--max-event-age");
    }
}
