package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GatewayMainTest {

    @Test
    void buildsTheConfigFromOptions() {
        GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs("--mqtt-host", "127.0.0.1", "--mqtt-port", "0", "--kafka-bootstrap",
                "k1:9092,k2:9092", "--topic-prefix", "x.", "--max-payload-bytes", "1000", "--instances", "3",
                "--kafka-delivery-timeout", "PT5S", "--kafka-property", "security.protocol=SSL");

        GatewayConfig config = main.toConfig();

        assertThat(config.mqttHost()).isEqualTo("127.0.0.1");
        assertThat(config.mqttPort()).isZero();
        assertThat(config.kafkaBootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(config.topicPrefix()).isEqualTo("x.");
        assertThat(config.maxPayloadBytes()).isEqualTo(1000);
        assertThat(config.verticleInstances()).isEqualTo(3);
        assertThat(config.kafkaDeliveryTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.kafkaProperties()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void defaultsMatchTheLibraryDefaults() {
        GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs();

        GatewayConfig config = main.toConfig();
        GatewayConfig defaults = GatewayConfig.defaults();

        // Environment variables may be set on a developer machine; only compare what they cannot change here.
        if (System.getenv("TRIBUTARY_MQTT_PORT") == null) {
            assertThat(config.mqttPort()).isEqualTo(defaults.mqttPort());
        }
        assertThat(config.maxInFlightPerConnection()).isEqualTo(defaults.maxInFlightPerConnection());
        assertThat(config.kafkaLinger()).isEqualTo(defaults.kafkaLinger());
        assertThat(config.kafkaMaxBlock()).isEqualTo(defaults.kafkaMaxBlock());
        assertThat(config.shutdownTimeout()).isEqualTo(defaults.shutdownTimeout());
        assertThat(config.verticleInstances()).isEqualTo(defaults.verticleInstances());
    }

    @Test
    void reportsInvalidValuesByOption() {
        GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs("--max-payload-bytes", "-5");

        assertThatThrownBy(main::toConfig).hasMessageContaining("--max-payload-bytes");
    }
}
