package io.tributary.simulator.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.simulator.sensor.SensorModel;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchFactoryTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldNumberBatchesConsecutivelyFromOne() {
        BatchFactory factory = new BatchFactory("dev-1", SensorModel.standardSet(2, 7), 3);

        ReadingBatch first = factory.next(100 * SECOND, SECOND);
        ReadingBatch second = factory.next(101 * SECOND, SECOND);

        assertThat(first.getBatchSeq()).isEqualTo(1);
        assertThat(second.getBatchSeq()).isEqualTo(2);
        assertThat(first.getDeviceId()).isEqualTo("dev-1");
        assertThat(first.getReadingsCount()).isEqualTo(6);
    }

    @Test
    void shouldKeepEventTimesStrictlyIncreasingPerSensorEvenWhenTheClockStalls() {
        BatchFactory factory = new BatchFactory("dev-1", SensorModel.standardSet(3, 7), 4);
        Map<String, Long> last = new HashMap<>();

        // Given a clock that repeats and even goes back
        long[] closeTimes = {100 * SECOND, 100 * SECOND, 99 * SECOND, 101 * SECOND};
        for (long closeTime : closeTimes) {
            for (Reading reading : factory.next(closeTime, SECOND).getReadingsList()) {
                Long previous = last.put(reading.getSensor(), reading.getEventTimeUnixNanos());
                // Then no sensor ever repeats a timestamp
                if (previous != null) {
                    assertThat(reading.getEventTimeUnixNanos()).isGreaterThan(previous);
                }
            }
        }
        assertThat(last).containsOnlyKeys("temperature", "humidity", "pressure");
    }

    @Test
    void shouldSpreadReadingsOverTheBatchInterval() {
        BatchFactory factory = new BatchFactory("dev-1", SensorModel.standardSet(1, 7), 4);

        ReadingBatch batch = factory.next(10 * SECOND, SECOND);

        assertThat(batch.getReadingsList()).extracting(Reading::getEventTimeUnixNanos)
                .containsExactly(9 * SECOND + SECOND / 4, 9 * SECOND + SECOND / 2, 9 * SECOND + 3 * SECOND / 4,
                        10 * SECOND);
    }
}
