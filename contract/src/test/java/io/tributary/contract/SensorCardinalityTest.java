package io.tributary.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.proto.v1.ReadingBatch;
import io.tributary.testing.batch.TestBatches;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SensorCardinalityTest {

    private static ReadingBatch batch(String... sensors) {
        return TestBatches.batch("dev-1").add(sensors.length, i -> TestBatches.reading(sensors[i], 1, 1)).build();
    }

    private static List<String> names(String prefix, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(prefix + i);
        }
        return names;
    }

    @Test
    void admitsUpToTheLimitAndKnownSensorsForever() {
        SensorCardinality cardinality = new SensorCardinality(3);

        assertThat(cardinality.admit("dev-1", List.of("a", "b", "a"))).isTrue();
        assertThat(cardinality.admit("dev-1", List.of("c"))).isTrue();
        assertThat(cardinality.known("dev-1").size()).isEqualTo(3);
        assertThat(cardinality.admit("dev-1", List.of("d"))).isFalse();
        assertThat(cardinality.admit("dev-1", List.of("a", "b", "c", "c"))).as("all known").isTrue();
        assertThat(cardinality.admit("dev-2", List.of("x", "y", "z"))).as("another device has its own").isTrue();
    }

    @Test
    void admitsAllOrNothing() {
        SensorCardinality cardinality = new SensorCardinality(3);
        cardinality.admit("dev-1", List.of("a", "b"));

        assertThat(cardinality.admit("dev-1", List.of("c", "d"))).isFalse();

        assertThat(cardinality.known("dev-1").contains("c")).as("nothing of a refused batch recorded").isFalse();
        assertThat(cardinality.known("dev-1").size()).isEqualTo(2);
        assertThat(cardinality.admit("dev-1", List.of("c"))).isTrue();
    }

    @Test
    void refusesAFloodWithoutRecordingIt() {
        SensorCardinality cardinality = new SensorCardinality(256);

        assertThat(cardinality.admit("dev-1", names("s", 10_000))).isFalse();

        assertThat(cardinality.trackedDevices()).as("a device whose only batch was refused takes no entry").isZero();
        assertThat(cardinality.admit("dev-1", names("s", 256))).isTrue();
        assertThat(cardinality.admit("dev-1", List.of("s256"))).isFalse();
    }

    @Test
    void namesTheFirstReadingWhoseSensorDoesNotFit() {
        SensorCardinality cardinality = new SensorCardinality(2);
        assertThat(cardinality.admit("dev-1", batch("a", "a"))).isEmpty();

        Optional<ContractViolation> refused = cardinality.admit("dev-1", batch("a", "b", "b", "c", "d"));

        assertThat(refused).get().extracting(ContractViolation::rule).isEqualTo(ContractRule.TOO_MANY_SENSORS);
        assertThat(refused.get().readingIndex()).isEqualTo(3);
        assertThat(refused.get().detail()).isEqualTo("reading 3 (sensor 'c'): device would use more than the"
                + " maximum of 2 distinct sensor names (it has 1)");
        assertThat(cardinality.admit("dev-1", batch("b", "a"))).isEmpty();
    }

    @Test
    void looksUpRawBytesAsStrings() {
        SensorCardinality cardinality = new SensorCardinality(300);
        List<String> names = names("sensor_", 200);
        names.add("température");
        cardinality.admit("dev-1", names);
        SensorCardinality.KnownSensors known = cardinality.known("dev-1");

        for (String name : List.of("sensor_0", "sensor_199", "température", "sensor_200", "sensor_", "", "x")) {
            byte[] bytes = ("<<" + name + ">>").getBytes(StandardCharsets.UTF_8);
            int length = name.getBytes(StandardCharsets.UTF_8).length;
            assertThat(known.contains(bytes, 2, length)).as(name).isEqualTo(known.contains(name))
                    .isEqualTo(names.contains(name));
        }
        assertThat(cardinality.known("unknown").contains("sensor_0")).isFalse();
        assertThat(cardinality.known("unknown").size()).isZero();
    }

    @Test
    void forgetsADevice() {
        SensorCardinality cardinality = new SensorCardinality(1);
        cardinality.admit("dev-1", List.of("a"));

        cardinality.forget("dev-1");

        assertThat(cardinality.trackedDevices()).isZero();
        assertThat(cardinality.admit("dev-1", List.of("b"))).isTrue();
    }

    @Test
    void neverAdmitsMoreThanTheLimitUnderConcurrency() throws Exception {
        SensorCardinality cardinality = new SensorCardinality(100);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 100; i++) {
                    if (cardinality.admit("dev-1", List.of("t" + thread + "_" + i, "shared"))) {
                        admitted.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : futures) {
            future.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(cardinality.known("dev-1").size()).isEqualTo(100);
        // "shared" takes one place; each admitted batch adds at most one more name
        assertThat(admitted.get()).isEqualTo(99);
    }

    @Test
    void validatesTheLimit() {
        assertThatThrownBy(() -> new SensorCardinality(0)).hasMessageContaining("maxSensorsPerDevice");
        assertThat(new SensorCardinality(InputContract.DEFAULTS).maxSensorsPerDevice()).isEqualTo(256);
    }
}
