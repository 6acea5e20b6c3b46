package io.tributary.localstack.influx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManagedInfluxdEnvironmentTest {

    private static final Path DATA = Path.of("/tmp/influx-test");

    @Test
    void bindsToLoopbackWithItsOwnDirectoriesAndATunedGoCollector() {
        Map<String, String> env = ManagedInfluxd.environment(DATA, 1001, 1002, Map.of());

        assertThat(env).containsEntry("INFLUXDB_BIND_ADDRESS", "127.0.0.1:1001")
                .containsEntry("INFLUXDB_HTTP_BIND_ADDRESS", "127.0.0.1:1002")
                .containsEntry("INFLUXDB_DATA_DIR", DATA.resolve("data").toString())
                .containsEntry("INFLUXDB_DATA_WAL_DIR", DATA.resolve("wal").toString())
                .containsEntry("GOGC", ManagedInfluxd.INFLUXD_GOGC);
    }

    @Test
    void leavesAGogcOfTheCallersEnvironmentToApply() {
        Map<String, String> env = ManagedInfluxd.environment(DATA, 1001, 1002, Map.of("GOGC", "100"));

        assertThat(env).doesNotContainKey("GOGC");
    }
}
