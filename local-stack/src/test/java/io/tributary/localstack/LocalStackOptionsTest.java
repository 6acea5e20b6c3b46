package io.tributary.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalStackOptionsTest {

    @Test
    void shouldDefaultToATempDirWithKafkaAndInfluxAndTheTelemetryBucket() {
        assertThat(LocalStackOptions.defaults())
                .isEqualTo(new LocalStackOptions(null, true, true, "telemetry"));
    }

    @Test
    void shouldChangeOneThingPerWither() {
        LocalStackOptions options = LocalStackOptions.defaults()
                .withDataDir(Path.of("/tmp/x"))
                .withoutInflux()
                .withInfluxBucket("bench");

        assertThat(options).isEqualTo(new LocalStackOptions(Path.of("/tmp/x"), true, false, "bench"));
        assertThat(LocalStackOptions.defaults().withoutKafka().startKafka()).isFalse();
        assertThat(LocalStackOptions.defaults().withStartKafka(false).withStartKafka(true).startKafka()).isTrue();
    }

    @Test
    void shouldRejectABlankBucketNamingIt() {
        assertThatThrownBy(() -> LocalStackOptions.defaults().withInfluxBucket(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("influxBucket");
        assertThatThrownBy(() -> LocalStackOptions.defaults().withInfluxBucket(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("influxBucket");
        assertThatThrownBy(() -> LocalStackOptions.defaults().withInfluxBucket("db/rp"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("influxBucket");
        assertThat(LocalStackOptions.defaults().withoutInflux().withInfluxBucket("db/rp").influxBucket())
                .isEqualTo("db/rp");
    }

    @Test
    void shouldRejectStartingNothing() {
        assertThatThrownBy(() -> LocalStackOptions.defaults().withoutKafka().withoutInflux())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing to start");
    }
}
