package io.tributary.processor.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.tributary.processor.notify.WebhookNotifier;
import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.Rollup;

class RollupAndAlertPointMapperTest {

    static final byte[] KEY = "dev-1".getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldMapARollupToOnePointAtWindowStart() {
        Rollup rollup = Rollup.newBuilder().setDeviceId("dev-1").setSensor("cpu temp").setWindow("10s")
                .setWindowStartUnixNanos(1_700_000_000_000_000_000L).setWindowEndUnixNanos(1_700_000_010_000_000_000L)
                .setCount(4).setMin(1).setMax(4.5).setMean(2.5).setLast(3).build();
        MappedRecord mapped = new RollupPointMapper(List.of()).map(KEY, rollup.toByteArray());
        assertThat(mapped).isInstanceOf(MappedRecord.Points.class);
        String line = ((MappedRecord.Points) mapped).points().get(0).toLineProtocol();
        assertThat(line).isEqualTo("rollups,device=dev-1,sensor=cpu\\ temp,window=10s count=4i,last=3.0,max=4.5,"
                + "mean=2.5,min=1.0 1700000000000000000");
    }

    @Test
    void shouldMapAnAlertEventToOnePointAtTransitionTime() {
        AlertEvent event = AlertEvent.newBuilder().setDeviceId("dev-1").setRule("hot")
                .setSeverity(AlertEvent.Severity.CRITICAL).setState(AlertEvent.AlertState.FIRING).setValue(85)
                .setThreshold(80).setMessage("temp = 85 above 80").setSensor("temp")
                .setTransitionTimeUnixNanos(1_700_000_000_123_456_789L).build();
        MappedRecord mapped = new AlertPointMapper(List.of()).map(KEY, event.toByteArray());
        String line = ((MappedRecord.Points) mapped).points().get(0).toLineProtocol();
        assertThat(line).isEqualTo("alerts,device=dev-1,rule=hot,severity=critical message=\"temp = 85 above 80\","
                + "sensor=\"temp\",state=\"firing\",threshold=80.0,value=85.0 1700000000123456789");
    }

    @Test
    void shouldRejectWhatCannotBeStored() {
        assertThat(new RollupPointMapper(List.of()).map(KEY, new byte[] {9, 9, 9}))
                .isInstanceOfSatisfying(MappedRecord.Rejected.class,
                        r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.PAYLOAD_FORMAT_INVALID));
        assertThat(new RollupPointMapper(List.of()).map(KEY, Rollup.newBuilder().setDeviceId("dev-1").setSensor("s")
                .setWindow("10s").setCount(0).setWindowStartUnixNanos(1).build().toByteArray()))
                .isInstanceOfSatisfying(MappedRecord.Rejected.class,
                        r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.READING_INVALID));
        assertThat(new AlertPointMapper(List.of()).map(KEY, AlertEvent.newBuilder().setDeviceId("dev-1").setRule("r")
                .setTransitionTimeUnixNanos(1).build().toByteArray()))
                .isInstanceOfSatisfying(MappedRecord.Rejected.class,
                        r -> assertThat(r.detail()).contains("state must be FIRING or RESOLVED"));
        assertThat(new AlertPointMapper(List.of()).map(KEY, null)).isInstanceOf(MappedRecord.Rejected.class);
    }

    @Test
    void shouldGiveTheSameTransitionTheSameIdempotencyKeyAndValidJson() {
        AlertEvent event = AlertEvent.newBuilder().setDeviceId("d\"1").setRule("hot").setSensor("t")
                .setState(AlertEvent.AlertState.RESOLVED).setMessage("line\nbreak").setTransitionTimeUnixNanos(5)
                .build();
        String key = WebhookNotifier.idempotencyKey(event);
        assertThat(key).isEqualTo("d\"1/hot/t/resolved/5").isEqualTo(WebhookNotifier.idempotencyKey(event.toBuilder()
                .setValue(99).build()));
        String json = WebhookNotifier.toJson(event, key);
        assertThat(com.google.gson.JsonParser.parseString(json).getAsJsonObject().get("message").getAsString())
                .isEqualTo("line\nbreak");
        assertThat(json).contains("\"device\":\"d\\\"1\"").contains("\"state\":\"resolved\"");
    }
}
