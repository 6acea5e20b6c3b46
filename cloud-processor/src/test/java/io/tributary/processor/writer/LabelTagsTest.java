package io.tributary.processor.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tributary.processor.contract.TelemetryCheck;
import io.tributary.processor.notify.WebhookNotifier;
import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.Rollup;
import io.tributary.testing.batch.TestBatches;

/** The labels named in {@code enrichment.tags} become tags of readings, rollups and alerts; the webhook gets all. */
class LabelTagsTest {

    static final Map<String, Map<String, String>> LABELS = Map.of(
            "m1", Map.of("site", "plant-3", "kind", "motor", "owner", "ops"),
            "p1", Map.of("kind", "pump"));
    static final List<String> TAGS = List.of("site", "kind");

    @Test
    void shouldTagReadingsWithTheConfiguredLabelsTheDeviceHas() {
        ReadingPointMapper mapper = new ReadingPointMapper(TelemetryCheck.NONE, Clock.systemUTC(), TAGS,
                device -> LABELS.getOrDefault(device, Map.of()));

        assertThat(line(mapper, "m1")).startsWith("readings,device=m1,kind=motor,sensor=temp,site=plant-3 value=");
        assertThat(line(mapper, "p1")).as("a label the device lacks is no tag")
                .startsWith("readings,device=p1,kind=pump,sensor=temp value=");
        assertThat(line(mapper, "bare")).as("a device without metadata still flows")
                .startsWith("readings,device=bare,sensor=temp value=");
    }

    @Test
    void shouldAddNoLabelTagWhenNoneIsConfigured() {
        ReadingPointMapper mapper = new ReadingPointMapper(TelemetryCheck.NONE, Clock.systemUTC(), List.of(),
                device -> LABELS.getOrDefault(device, Map.of()));

        assertThat(line(mapper, "m1")).startsWith("readings,device=m1,sensor=temp value=");
    }

    @Test
    void shouldTagRollupsAndAlertsWithTheConfiguredLabelsTheyCarry() {
        Rollup rollup = Rollup.newBuilder().setDeviceId("m1").setSensor("temp").setWindow("10s").setCount(1)
                .setWindowStartUnixNanos(5).putAllLabels(LABELS.get("m1")).build();
        AlertEvent alert = AlertEvent.newBuilder().setDeviceId("m1").setRule("hot")
                .setState(AlertEvent.AlertState.FIRING).setTransitionTimeUnixNanos(5).putAllLabels(LABELS.get("m1"))
                .build();

        assertThat(point(new RollupPointMapper(TAGS).map(key("m1"), rollup.toByteArray())))
                .startsWith("rollups,device=m1,kind=motor,sensor=temp,site=plant-3,window=10s ");
        assertThat(point(new AlertPointMapper(TAGS).map(key("m1"), alert.toByteArray())))
                .startsWith("alerts,device=m1,kind=motor,rule=hot,severity=info,site=plant-3 ");
        assertThat(point(new RollupPointMapper(List.of()).map(key("m1"), rollup.toByteArray())))
                .startsWith("rollups,device=m1,sensor=temp,window=10s ");
    }

    @Test
    void shouldStoreARecordWithAnInvalidLabelWithoutLabelTags() {
        Rollup rollup = Rollup.newBuilder().setDeviceId("m1").setSensor("temp").setWindow("10s").setCount(1)
                .setWindowStartUnixNanos(5).putLabels("site", "a,b=c d").build();

        assertThat(point(new RollupPointMapper(TAGS).map(key("m1"), rollup.toByteArray())))
                .startsWith("rollups,device=m1,sensor=temp,window=10s ");
    }

    @Test
    void shouldSendAllLabelsToTheWebhook() {
        AlertEvent alert = AlertEvent.newBuilder().setDeviceId("m1").setRule("hot")
                .setState(AlertEvent.AlertState.FIRING).setTransitionTimeUnixNanos(5).putAllLabels(LABELS.get("m1"))
                .build();

        assertThat(WebhookNotifier.toJson(alert, "k"))
                .contains("\"labels\":{\"kind\":\"motor\",\"owner\":\"ops\",\"site\":\"plant-3\"}");
    }

    static String line(ReadingPointMapper mapper, String device) {
        Reading reading = Reading.newBuilder().setSensor("temp").setValue(1.5)
                .setEventTimeUnixNanos(1_700_000_000_000_000_000L).build();
        return point(mapper.map(key(device), TestBatches.batch(device).addAll(List.of(reading)).toByteArray()));
    }

    static String point(MappedRecord mapped) {
        assertThat(mapped).isInstanceOf(MappedRecord.Points.class);
        return ((MappedRecord.Points) mapped).points().get(0).toLineProtocol();
    }

    static byte[] key(String device) {
        return device.getBytes(StandardCharsets.UTF_8);
    }
}
