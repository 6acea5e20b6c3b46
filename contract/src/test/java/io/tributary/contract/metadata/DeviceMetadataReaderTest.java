package io.tributary.contract.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceMetadataReaderTest {

    private static byte[] labels(String device, Map<String, String> labels) {
        return new DeviceLabels(device, labels, Instant.parse("2026-12-07T08:00:00Z")).toJson();
    }

    @Test
    void shouldKeepTheLatestLabelsOfEachDeviceAndForgetATombstonedOne() {
        DeviceMetadataReader reader = new DeviceMetadataReader();
        reader.apply("d-1", labels("d-1", Map.of("site", "plant-3")));
        reader.apply("d-2", labels("d-2", Map.of("kind", "motor")));
        reader.apply("d-1", labels("d-1", Map.of("site", "plant-4")));
        reader.apply("d-2", null);

        assertThat(reader.labels()).containsOnlyKeys("d-1");
        assertThat(reader.labelsOf("d-1").labels()).containsExactly(Map.entry("site", "plant-4"));
        assertThat(reader.labelsOf("d-2")).isEqualTo(DeviceLabels.none("d-2"));
        assertThat(reader.invalidRecords()).isZero();
    }

    @Test
    void shouldCountAndSkipInvalidRecordsKeepingWhatTheDeviceHad() {
        DeviceMetadataReader reader = new DeviceMetadataReader();
        reader.apply("d-1", labels("d-1", Map.of("site", "plant-3")));
        reader.apply("d-1", "not json".getBytes(StandardCharsets.UTF_8));
        reader.apply("d-1", labels("d-2", Map.of("site", "elsewhere"))); // names another device than its key
        reader.apply(null, labels("d-3", Map.of("site", "plant-3")));

        assertThat(reader.invalidRecords()).isEqualTo(3);
        assertThat(reader.labels()).containsOnlyKeys("d-1");
        assertThat(reader.labelsOf("d-1").labels()).containsExactly(Map.entry("site", "plant-3"));
    }
}
