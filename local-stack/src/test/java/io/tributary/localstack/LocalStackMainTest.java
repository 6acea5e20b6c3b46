package io.tributary.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LocalStackMainTest {

    private static LocalStackMain.Config parse(String... args) {
        LocalStackMain main = new LocalStackMain();
        new CommandLine(main).parseArgs(args);
        return main.config();
    }

    @Test
    void shouldDefaultToATempStackWithThreePartitionsOfTheDefaultTopics() {
        LocalStackMain.Config config = parse();

        assertThat(config.options().dataDir()).isNull();
        assertThat(config.options().startKafka()).isTrue();
        assertThat(config.options().startInflux()).isTrue();
        assertThat(config.partitions()).isEqualTo(3);
        if (System.getenv("TRIBUTARY_TOPIC_PREFIX") == null) {
            assertThat(config.topics())
                    .containsExactly("tributary.telemetry", "tributary.deadletter", "tributary.device-status");
        }
        if (System.getenv("TRIBUTARY_INFLUX_BUCKET") == null) {
            assertThat(config.options().influxBucket()).isEqualTo("telemetry");
        }
    }

    @Test
    void shouldTakeEveryOption() {
        LocalStackMain.Config config = parse("--data-dir", "/tmp/stack", "--no-influx", "--influx-bucket", "b",
                "--partitions", "6", "--topic-prefix", "t.");

        assertThat(config.options()).isEqualTo(new LocalStackOptions(Path.of("/tmp/stack"), true, false, "b"));
        assertThat(config.partitions()).isEqualTo(6);
        assertThat(config.topics()).containsExactly("t.telemetry", "t.deadletter", "t.device-status");
    }

    @Test
    void shouldDefaultToOneInJvmBrokerAndTakeBrokersAndSecure() {
        assertThat(parse().options().kafkaBrokers()).isEqualTo(1);
        assertThat(parse().options().kafkaSecure()).isFalse();

        LocalStackMain.Config config = parse("--brokers", "3", "--secure");

        assertThat(config.options().kafkaBrokers()).isEqualTo(3);
        assertThat(config.options().kafkaSecure()).isTrue();
        assertThatThrownBy(() -> parse("--brokers", "0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--brokers");
    }

    @Test
    void shouldRejectBadValuesNamingTheOption() {
        assertThatThrownBy(() -> parse("--partitions", "0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--partitions");
        assertThatThrownBy(() -> parse("--influx-bucket", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--influx-bucket");
    }
}
