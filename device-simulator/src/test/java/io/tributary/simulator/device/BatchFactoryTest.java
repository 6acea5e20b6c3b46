package io.tributary.simulator.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.simulator.anomaly.DeviceAnomalies;
import io.tributary.simulator.scenario.Anomaly;
import io.tributary.simulator.sensor.DeviceKind;
import io.tributary.simulator.sensor.SensorModel;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchFactoryTest {

    private static final long SECOND = 1_000_000_000L;

    /** A generic device sampling every 1/readings s, its first sample at virtual time 0. */
    static BatchFactory factory(int sensors, int readings, List<Anomaly> anomalies) {
        List<SensorModel> models = DeviceKind.GENERIC.sensors(sensors, new SplittableRandom(7));
        DeviceAnomalies effects = anomalies.isEmpty() ? DeviceAnomalies.NONE
                : new DeviceAnomalies(anomalies, models.stream().map(SensorModel::name).toList());
        return new BatchFactory("dev-1", models, readings, 1.0 / readings, 0, effects);
    }

    static ReadingBatch parse(OutgoingBatch batch) {
        try {
            return ReadingBatch.parseFrom(batch.payload());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a batch", e);
        }
    }

    static Anomaly anomaly(Anomaly.Type type, String sensor, int atSeconds, int seconds, double amount,
            Duration interval) {
        return new Anomaly(type, null, Anomaly.ALL, sensor, Duration.ofSeconds(atSeconds), Duration.ofSeconds(seconds),
                amount, interval, null);
    }

    /** Values of one sensor over {@code batches} one-second batches. */
    static double[] values(BatchFactory factory, String sensor, int batches) {
        double[] values = new double[batches];
        for (int b = 0; b < batches; b++) {
            OutgoingBatch batch = factory.next((100 + b) * SECOND, SECOND);
            values[b] = batch == null ? Double.NaN : parse(batch).getReadingsList().stream()
                    .filter(r -> r.getSensor().equals(sensor)).findFirst().orElseThrow().getValue();
        }
        return values;
    }

    @Test
    void shouldNumberBatchesConsecutivelyFromOne() {
        BatchFactory factory = factory(2, 3, List.of());

        ReadingBatch first = parse(factory.next(100 * SECOND, SECOND));
        ReadingBatch second = parse(factory.next(101 * SECOND, SECOND));

        assertThat(first.getBatchSeq()).isEqualTo(1);
        assertThat(second.getBatchSeq()).isEqualTo(2);
        assertThat(first.getDeviceId()).isEqualTo("dev-1");
        assertThat(first.getReadingsCount()).isEqualTo(6);
    }

    @Test
    void shouldKeepEventTimesStrictlyIncreasingPerSensorEvenWhenTheClockStalls() {
        BatchFactory factory = factory(3, 4, List.of());
        Map<String, Long> last = new HashMap<>();

        // Given a clock that repeats and even goes back
        long[] closeTimes = {100 * SECOND, 100 * SECOND, 99 * SECOND, 101 * SECOND};
        for (long closeTime : closeTimes) {
            for (Reading reading : parse(factory.next(closeTime, SECOND)).getReadingsList()) {
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
        ReadingBatch batch = parse(factory(1, 4, List.of()).next(10 * SECOND, SECOND));

        assertThat(batch.getReadingsList()).extracting(Reading::getEventTimeUnixNanos)
                .containsExactly(9 * SECOND + SECOND / 4, 9 * SECOND + SECOND / 2, 9 * SECOND + 3 * SECOND / 4,
                        10 * SECOND);
    }

    @Test
    void shouldGiveTheSameValuesWhateverTheWallClockSays() {
        BatchFactory early = factory(3, 5, List.of());
        BatchFactory late = factory(3, 5, List.of());

        for (int b = 0; b < 20; b++) {
            // The ticks of two runs land at different wall-clock times, with jitter
            List<Double> a = parse(early.next((100 + b) * SECOND, SECOND)).getReadingsList().stream()
                    .map(Reading::getValue).toList();
            List<Double> c = parse(late.next((5_000 + b) * SECOND + b * 1_000_003L, SECOND)).getReadingsList()
                    .stream().map(Reading::getValue).toList();
            assertThat(c).isEqualTo(a);
        }
    }

    @Test
    void shouldAddASpikeOnlyToTheNamedSensorAndOnlyWithinItsWindow() {
        double[] plain = values(factory(2, 1, List.of()), "temperature", 10);
        BatchFactory spiked = factory(2, 1, List.of(anomaly(Anomaly.Type.SPIKE, "temperature", 3, 4, 50, null)));
        double[] withSpike = values(spiked, "temperature", 10);
        double[] otherSensor = values(factory(2, 1, List.of(anomaly(Anomaly.Type.SPIKE, "temperature", 3, 4, 50, null))),
                "humidity", 10);

        for (int i = 0; i < 10; i++) {
            double expected = i >= 3 && i < 7 ? plain[i] + 50 : plain[i];
            assertThat(withSpike[i]).as("second %d", i).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
        }
        assertThat(otherSensor).isEqualTo(values(factory(2, 1, List.of()), "humidity", 10));
    }

    @Test
    void shouldDriftByTheRateTimesTheTimeSinceTheStart() {
        double[] plain = values(factory(1, 1, List.of()), "temperature", 10);
        double[] drifted = values(factory(1, 1, List.of(anomaly(Anomaly.Type.DRIFT, null, 2, 5, -2, null))),
                "temperature", 10);

        for (int i = 0; i < 10; i++) {
            double expected = i >= 2 && i < 7 ? plain[i] - 2 * (i - 2) : plain[i];
            assertThat(drifted[i]).as("second %d", i).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void shouldRepeatTheFirstValueWhileStuck() {
        double[] plain = values(factory(1, 1, List.of()), "temperature", 10);
        double[] stuck = values(factory(1, 1, List.of(anomaly(Anomaly.Type.STUCK, null, 4, 3, 0, null))),
                "temperature", 10);

        assertThat(stuck[4]).isEqualTo(plain[4]);
        assertThat(stuck[5]).isEqualTo(plain[4]);
        assertThat(stuck[6]).isEqualTo(plain[4]);
        assertThat(stuck[7]).isEqualTo(plain[7]);
        assertThat(plain[5]).isNotEqualTo(plain[4]);
    }

    @Test
    void shouldPublishNothingWhileSilentAndContinueTheSequenceAfterwards() {
        BatchFactory factory = factory(1, 1, List.of(anomaly(Anomaly.Type.SILENT, null, 2, 3, 0, null)));
        List<OutgoingBatch> batches = new java.util.ArrayList<>();
        for (int b = 0; b < 7; b++) {
            batches.add(factory.next((100 + b) * SECOND, SECOND));
        }

        assertThat(batches.subList(2, 5)).containsOnlyNulls();
        assertThat(batches.get(5).seq()).isEqualTo(3);
        assertThat(values(factory(1, 1, List.of(anomaly(Anomaly.Type.SILENT, null, 2, 3, 0, null))), "temperature", 7)[5])
                .isEqualTo(values(factory(1, 1, List.of()), "temperature", 7)[5]);
    }

    @Test
    void shouldShiftEventTimesByTheSkewWithinItsWindow() {
        BatchFactory factory = factory(1, 1, List.of(anomaly(Anomaly.Type.CLOCK_SKEW, null, 1, 1, 0,
                Duration.ofHours(-2))));

        long first = parse(factory.next(100 * SECOND, SECOND)).getReadings(0).getEventTimeUnixNanos();
        long skewed = parse(factory.next(101 * SECOND, SECOND)).getReadings(0).getEventTimeUnixNanos();
        long after = parse(factory.next(102 * SECOND, SECOND)).getReadings(0).getEventTimeUnixNanos();

        assertThat(first).isEqualTo(100 * SECOND);
        assertThat(skewed).isEqualTo(101 * SECOND - 7_200 * SECOND);
        assertThat(after).isEqualTo(102 * SECOND);
    }

    @Test
    void shouldDateTheBatchWithTheSkewedClockAndReportTheSkew() {
        BatchFactory factory = factory(1, 1, List.of(anomaly(Anomaly.Type.CLOCK_SKEW, null, 1, 1, 0,
                Duration.ofSeconds(-30))));

        OutgoingBatch first = factory.next(100 * SECOND, SECOND);
        OutgoingBatch skewed = factory.next(101 * SECOND, SECOND);

        assertThat(parse(first).getCreatedAtUnixNanos()).isEqualTo(100 * SECOND);
        assertThat(first.clockSkewNanos()).isZero();
        assertThat(parse(skewed).getCreatedAtUnixNanos()).isEqualTo(71 * SECOND);
        assertThat(skewed.clockSkewNanos()).isEqualTo(-30 * SECOND);
    }

    @Test
    void shouldMarkBatchesForADuplicatePublishWithinItsWindow() {
        BatchFactory factory = factory(1, 1, List.of(anomaly(Anomaly.Type.DUPLICATE, null, 1, 1, 0, null)));

        assertThat(factory.next(100 * SECOND, SECOND).duplicated()).isFalse();
        assertThat(factory.next(101 * SECOND, SECOND).duplicated()).isTrue();
        assertThat(factory.next(102 * SECOND, SECOND).duplicated()).isFalse();
    }

    @Test
    void shouldPublishBytesThatAreNoBatchWhenMalformed() {
        BatchFactory factory = factory(2, 2, List.of(anomaly(Anomaly.Type.MALFORMED, null, 0, 1, 0, null)));

        OutgoingBatch malformed = factory.next(100 * SECOND, SECOND);
        OutgoingBatch next = factory.next(101 * SECOND, SECOND);

        assertThat(malformed.malformed()).isTrue();
        assertThat(malformed.readings()).isEqualTo(4);
        assertThatThrownBy(() -> ReadingBatch.parseFrom(malformed.payload()))
                .isInstanceOf(InvalidProtocolBufferException.class);
        assertThat(parse(next).getBatchSeq()).isEqualTo(2);
    }
}
