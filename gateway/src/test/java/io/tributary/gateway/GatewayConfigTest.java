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
        assertThat(config.topics().telemetry()).isEqualTo("tributary.telemetry");
        assertThat(config.topics().deadLetter()).isEqualTo("tributary.deadletter");
        assertThat(config.topics().deviceStatus()).isEqualTo("tributary.device-status");
    }

    @Test
    void witherChangesOneValue() {
        GatewayConfig config = GatewayConfig.builder().mqttPort(0).topicPrefix("t1.").build();

        assertThat(config.mqttPort()).isZero();
        assertThat(config.topics().telemetry()).isEqualTo("t1.telemetry");
        assertThat(config.mqttHost()).isEqualTo("0.0.0.0");
    }

    @Test
    void raisingThePayloadLimitKeepsInFlightBytesConsistent() {
        GatewayConfig config = GatewayConfig.builder().maxInFlightBytes(1_000_000).maxPayloadBytes(900_000).build();

        assertThat(config.maxInFlightBytes()).isEqualTo(1_800_000);
    }

    @Test
    void pausesReadingAtHalfTheHardLimitUnlessToldOtherwise() {
        GatewayConfig d = GatewayConfig.defaults();
        assertThat(d.pauseInFlightBytes()).isZero();
        assertThat(d.pauseReadingAtBytes()).isEqualTo(d.maxInFlightBytes() / 2);

        assertThat(d.toBuilder().pauseInFlightBytes(1_000_000).build().pauseReadingAtBytes()).isEqualTo(1_000_000);
        // Lowering the hard limit below an explicit mark falls back to half of the new limit, never above it
        GatewayConfig lowered = d.toBuilder().pauseInFlightBytes(8_000_000).maxInFlightBytes(4_000_000).build();
        assertThat(lowered.pauseReadingAtBytes()).isEqualTo(2_000_000);
        assertRejected(() -> d.toBuilder().pauseInFlightBytes(-1).build(), "--pause-inflight-bytes");
        assertRejected(() -> d.toBuilder().pauseInFlightBytes(d.maxInFlightBytes() + 1).build(), "--pause-inflight-bytes");
    }

    @Test
    void rejectsBadValuesNamingTheOption() {
        GatewayConfig d = GatewayConfig.defaults();
        assertRejected(() -> d.toBuilder().mqttPort(70_000).build(), "--mqtt-port");
        assertRejected(() -> d.toBuilder().mqttHost(" ").build(), "--mqtt-host");
        assertRejected(() -> d.toBuilder().kafkaBootstrapServers("").build(), "--kafka-bootstrap");
        assertRejected(() -> d.toBuilder().topicPrefix("bad prefix/").build(), "--topic-prefix");
        assertRejected(() -> d.toBuilder().maxPayloadBytes(0).build(), "--max-payload-bytes");
        assertRejected(() -> d.toBuilder().maxPayloadBytes(GatewayConfig.MAX_PAYLOAD_BYTES_LIMIT + 1).build(), "--max-payload-bytes");
        assertRejected(() -> d.toBuilder().verticleInstances(0).build(), "--instances");
        assertRejected(() -> d.toBuilder().maxInFlightPerConnection(0).build(), "--max-inflight-per-connection");
        assertRejected(() -> d.toBuilder().maxInFlightBytes(10).build(), "--max-inflight-bytes");
        assertRejected(() -> d.toBuilder().kafkaLinger(Duration.ofMillis(-1)).build(), "--kafka-linger");
        assertRejected(() -> d.toBuilder().kafkaDeliveryTimeout(Duration.ofMillis(50)).build(), "--kafka-delivery-timeout");
        assertRejected(() -> d.toBuilder().shutdownTimeout(null).build(), "--shutdown-timeout");
        assertRejected(() -> d.toBuilder().kafkaProperties(Map.of("acks", "1")).build(), "--kafka-property");
        assertRejected(() -> d.toBuilder().kafkaProperties(Map.of("enable.idempotence", "false")).build(), "enable.idempotence");
        assertRejected(() -> d.toBuilder().httpPort(-2).build(), "--http-port");
        assertRejected(() -> d.toBuilder().httpPort(70000).build(), "--http-port");
        assertRejected(() -> d.toBuilder().maxConnections(0).build(), "--max-connections");
        assertRejected(() -> d.toBuilder().authentication(null).build(), "--authentication");
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
        assertThat(d.topics().devices()).isEqualTo("tributary.devices");
        assertThat(d.topics().deviceConfig()).isEqualTo("tributary.device-config");
        assertThat(d.toBuilder().authentication(GatewayConfig.Authentication.REGISTRY).mqttPort(7).build().mqttPort()).isEqualTo(7);
        assertThat(d.toBuilder().mqttPort(7).authentication(GatewayConfig.Authentication.REGISTRY).build().authentication())
                .isEqualTo(GatewayConfig.Authentication.REGISTRY);
    }

    @Test
    void copiesKafkaProperties() {
        Map<String, String> props = new HashMap<>(Map.of("security.protocol", "SSL"));
        GatewayConfig config = GatewayConfig.builder().kafkaProperties(props).build();
        props.put("other", "x");

        assertThat(config.kafkaProperties()).containsOnlyKeys("security.protocol");
    }

    @Test
    void allowsAnEmptyTopicPrefix() {
        assertThat(GatewayConfig.builder().topicPrefix("").build().topics().telemetry()).isEqualTo("telemetry");
    }

    private static void assertRejected(Runnable build, String option) {
        assertThatThrownBy(build::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(option);
    }

    // ---- issue 17: the input contract ----

    @Test
    void carriesTheInputContractThroughEveryWither() {
        io.tributary.contract.InputContract strict = io.tributary.contract.InputContract.DEFAULTS
                .withMaxSensorsPerDevice(3);
        GatewayConfig config = GatewayConfig.builder().inputContract(strict).deadLetterMaxPayloadBytes(99).build();

        GatewayConfig changed = config.toBuilder().mqttPort(1).maxInFlightBytes(64L * 1024 * 1024).pauseInFlightBytes(0)
                .tls(TlsSettings.DISABLED).maxConnections(5).httpPort(-1).build();

        assertThat(changed.inputContract()).isEqualTo(strict);
        assertThat(changed.deadLetterMaxPayloadBytes()).isEqualTo(99);
        assertThat(GatewayConfig.defaults().inputContract()).isEqualTo(io.tributary.contract.InputContract.DEFAULTS);
        assertThat(GatewayConfig.defaults().deadLetterMaxPayloadBytes()).isEqualTo(64 * 1024);
    }

    @Test
    void rejectsBadContractValuesNamingTheOption() {
        assertRejected(() -> GatewayConfig.builder().inputContract(null).build(), "--max-event-age");
        assertRejected(() -> GatewayConfig.builder().deadLetterMaxPayloadBytes(-1).build(),
                "--deadletter-max-payload-bytes");
        assertRejected(() -> GatewayConfig.builder().deadLetterMaxPayloadBytes(2 * 1024 * 1024).build(),
                "--deadletter-max-payload-bytes");
        assertRejected(() -> GatewayConfig.inputContract(java.time.Duration.ofDays(30), java.time.Duration.ofMinutes(5),
                128, 32, 10_000, 0), "maxSensorsPerDevice (--max-sensors-per-device)");
        assertRejected(() -> GatewayConfig.inputContract(null, java.time.Duration.ofMinutes(5), 128, 32, 10_000, 1),
                "--max-event-age");
    }
}
