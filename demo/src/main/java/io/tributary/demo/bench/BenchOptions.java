package io.tributary.demo.bench;

import io.tributary.common.KafkaClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the whole-pipeline benchmark runs: {@link PipelineBenchMain}'s options, validated. {@code brokers} and
 * {@code secure} shape the local stack's Kafka ({@code ./tributary stack --brokers N --secure}); {@code kafkaConfig}
 * replaces it. {@code labels} go to every simulated device (at provisioning), {@code processorSettings} to the
 * processor as its {@code --set KEY=VALUE} options.
 */
record BenchOptions(Path root, Path out, int devices, Duration duration, Duration stepDuration, Duration warmup,
        List<Integer> rates, Duration halfDuration, int partitions, Duration probeInterval, int refinements,
        Path kafkaConfig, int brokers, boolean secure, Map<String, String> labels,
        Map<String, String> processorSettings) {

    /** Readings per MQTT message, as the goal states: 2 sensors × 5 readings. */
    static final int SENSORS = 2;
    static final int READINGS_PER_SENSOR = 5;
    static final int READINGS_PER_BATCH = SENSORS * READINGS_PER_SENSOR;

    BenchOptions {
        if (devices < 1) {
            throw new IllegalArgumentException("--devices must be at least 1, got " + devices);
        }
        requirePositive(duration, "--duration");
        requirePositive(stepDuration, "--step-duration");
        requirePositive(halfDuration, "--half-duration");
        requirePositive(probeInterval, "--probe-interval");
        if (warmup == null || warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must be zero or positive, got " + warmup);
        }
        if (warmup.plusSeconds(3).compareTo(stepDuration) > 0 || warmup.plusSeconds(3).compareTo(duration) > 0
                || warmup.plusSeconds(3).compareTo(halfDuration) > 0) {
            throw new IllegalArgumentException("--warmup (" + warmup.toSeconds() + " s) must leave at least 3 s "
                    + "of every phase (--step-duration, --duration, --half-duration) to measure");
        }
        if (rates == null || rates.isEmpty()) {
            throw new IllegalArgumentException("--rates must list at least one rate");
        }
        rates = List.copyOf(rates);
        for (int i = 0; i < rates.size(); i++) {
            if (rates.get(i) < 1 || (i > 0 && rates.get(i) <= rates.get(i - 1))) {
                throw new IllegalArgumentException("--rates must be positive and ascending, got " + rates);
            }
            if (intervalMillis(devices, rates.get(i)) < 1) {
                throw new IllegalArgumentException("--rates: " + rates.get(i) + " readings/s from " + devices
                        + " devices needs a batch interval under 1 ms: use more --devices");
            }
        }
        if (refinements < 0) {
            throw new IllegalArgumentException("--refine must be zero or positive, got " + refinements);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
        }
        if (root == null || out == null) {
            throw new IllegalArgumentException("root and --out must be set");
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        processorSettings = processorSettings == null ? Map.of() : Map.copyOf(processorSettings);
        if (brokers < 1) {
            throw new IllegalArgumentException("--brokers must be at least 1, got " + brokers);
        }
        if (kafkaConfig != null) {
            if (brokers > 1 || secure) {
                throw new IllegalArgumentException("--kafka-config runs against another Kafka: --brokers and --secure"
                        + " shape the local stack's");
            }
            KafkaClientConfig.readFile(kafkaConfig);
        }
    }

    /** The local stack's Kafka as one plaintext broker (or {@code kafkaConfig}'s). */
    BenchOptions(Path root, Path out, int devices, Duration duration, Duration stepDuration, Duration warmup,
            List<Integer> rates, Duration halfDuration, int partitions, Duration probeInterval, int refinements,
            Path kafkaConfig) {
        this(root, out, devices, duration, stepDuration, warmup, rates, halfDuration, partitions, probeInterval,
                refinements, kafkaConfig, 1, false, Map.of(), Map.of());
    }

    private static void requirePositive(Duration d, String option) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(option + " must be positive, got " + d);
        }
    }

    /** Each device's batch interval in whole milliseconds (the simulator's resolution) for {@code readingsPerS}. */
    static long intervalMillis(int devices, double readingsPerS) {
        return Math.round(devices * (double) READINGS_PER_BATCH * 1000 / readingsPerS);
    }

    /** The rate the fleet really offers at {@code readingsPerS} once the interval is rounded to milliseconds. */
    double offered(double readingsPerS) {
        return devices * (double) READINGS_PER_BATCH * 1000 / intervalMillis(devices, readingsPerS);
    }

    Path jar(String module, String name) {
        return root.resolve(module).resolve("target").resolve(name);
    }
}
