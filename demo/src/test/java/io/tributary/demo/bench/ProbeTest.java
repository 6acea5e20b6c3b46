package io.tributary.demo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.demo.measure.InfluxQl;
import io.tributary.demo.measure.LatencySummary;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class ProbeTest {

    @Test
    void shouldReadPointTimesFromAnInfluxQlAnswer() {
        String body = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"readings\",\"columns\":[\"time\","
                + "\"value\"],\"values\":[[1764072000000000001,30],[1764072000100000000,50]]}]}]}";

        assertThat(InfluxQl.rows(body).stream().map(row -> row.getLong(0)))
                .containsExactly(1764072000000000001L, 1764072000100000000L);
        assertThat(InfluxQl.rows("{\"results\":[{\"statement_id\":0}]}")).isEmpty();
    }

    @Test
    void shouldMatchArrivalsToSendsAndCountWhatNeverArrived() {
        LatencyHop hop = LatencyHop.unordered();
        hop.expect(1L, 1_000_000L);
        hop.expect(2L, 2_000_000L);

        hop.arrived(1L, 6_000_000L);
        hop.arrived(1L, 9_000_000L); // a duplicate arrival is not a second sample
        hop.arrived(99L, 9_000_000L); // not a probe reading
        hop.giveUpOlderThan(Long.MAX_VALUE);

        // One sample of 5 ms (reported to 0.1 ms).
        assertThat(LatencySummary.summary(hop.histogram(), 1)).containsEntry("count", 1L).containsEntry("max", 5.0);
        assertThat(hop.missed()).isEqualTo(1);
    }

    @Test
    void shouldKeepApartTheLatenciesOfReadingsInFlightDuringTheWindow() {
        LatencyHop hop = LatencyHop.unordered();
        hop.window(10_000_000L, 20_000_000L);
        hop.expect(1L, 1_000_000L);
        hop.expect(2L, 8_000_000L);
        hop.expect(3L, 15_000_000L);
        hop.expect(4L, 21_000_000L);

        hop.arrived(1L, 2_000_000L); // done before the window
        hop.arrived(2L, 12_000_000L); // sent before, answered in it
        hop.arrived(3L, 16_000_000L); // sent and answered in it
        hop.arrived(4L, 22_000_000L); // sent after

        assertThat(LatencySummary.summary(hop.windowHistogram(), 1)).containsEntry("count", 2L)
                .containsEntry("max", 4.0);
        assertThat(hop.histogram().getTotalCount()).isEqualTo(4);
    }

    @Test
    void shouldPickThePartitionKafkasDefaultPartitionerPicks() {
        for (int i = 0; i < 50; i++) {
            byte[] key = ("bench-probe-" + i).getBytes(StandardCharsets.UTF_8);
            for (int partitions : new int[] {1, 3, 7}) {
                assertThat(ProbeConsumers.partitionForKey(key, partitions))
                        .isEqualTo(BuiltInPartitioner.partitionForKey(key, partitions));
            }
        }
    }
}
