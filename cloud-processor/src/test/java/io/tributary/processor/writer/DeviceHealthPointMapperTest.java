package io.tributary.processor.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tributary.proto.v1.DeviceHealth;

class DeviceHealthPointMapperTest {

    static final byte[] KEY = "dev-1".getBytes(StandardCharsets.UTF_8);
    final DeviceHealthPointMapper mapper = new DeviceHealthPointMapper(List.of());

    @Test
    void shouldMapDeviceHealthToOnePointAtEmissionTime() {
        DeviceHealth health = DeviceHealth.newBuilder().setDeviceId("dev-1").setBatches(15).setGaps(2).setLate(1)
                .setDuplicates(5).setRestarts(1).setReportedDropped(7).setLastSeq(12).setSkewMs(-7_200_050)
                .setLagMs(12.5).setLastBatchUnixMs(1_700_000_000_123L).setTimeUnixNanos(1_700_000_010_000_000_000L)
                .build();

        MappedRecord mapped = mapper.map(KEY, health.toByteArray());

        assertThat(mapped).isInstanceOfSatisfying(MappedRecord.Points.class, p -> assertThat(p.points())
                .singleElement().hasToString("device_health,device=dev-1 batches=15i,duplicates=5i,gaps=2i,"
                        + "lag_ms=12.5,last_batch=1700000000123i,last_seq=12i,late=1i,reported_dropped=7i,"
                        + "restarts=1i,skew_ms=-7200050.0 1700000010000000000"));
    }

    @Test
    void shouldTagThePointWithTheConfiguredLabelsOnly() {
        DeviceHealth health = DeviceHealth.newBuilder().setDeviceId("dev-1").setTimeUnixNanos(1_000)
                .putAllLabels(Map.of("site", "plant-3", "kind", "motor", "owner", "ops")).build();

        MappedRecord mapped = new DeviceHealthPointMapper(List.of("site", "kind")).map(KEY, health.toByteArray());

        assertThat(mapped).isInstanceOfSatisfying(MappedRecord.Points.class, p -> assertThat(p.points())
                .singleElement().asString().startsWith("device_health,device=dev-1,kind=motor,site=plant-3 "));
    }

    @Test
    void shouldRejectWhatCannotBeStored() {
        assertThat(mapper.map(KEY, null)).isInstanceOfSatisfying(MappedRecord.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.PAYLOAD_FORMAT_INVALID));
        assertThat(mapper.map(KEY, new byte[] {9, 9, 9})).isInstanceOfSatisfying(MappedRecord.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.PAYLOAD_FORMAT_INVALID));
        assertThat(mapper.map(KEY, DeviceHealth.newBuilder().setDeviceId("dev-1").build().toByteArray()))
                .isInstanceOfSatisfying(MappedRecord.Rejected.class,
                        r -> assertThat(r.detail()).contains("time must be positive"));
        assertThat(mapper.map(KEY, DeviceHealth.newBuilder().setDeviceId("a\\b").setTimeUnixNanos(1).build()
                .toByteArray())).isInstanceOfSatisfying(MappedRecord.Rejected.class,
                        r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.READING_INVALID));
    }
}
