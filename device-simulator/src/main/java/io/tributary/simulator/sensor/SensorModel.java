package io.tributary.simulator.sensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A plausible, deterministic signal for one simulated sensor: a daily-ish sine wave around a base value plus noise.
 * Pure code: the same seed gives the same values, so tests and benchmarks are repeatable.
 */
public final class SensorModel {

    private static final List<Template> CATALOGUE = List.of(
            new Template("temperature", "degC", 21.0, 4.0, 0.2),
            new Template("humidity", "%", 45.0, 10.0, 1.0),
            new Template("pressure", "hPa", 1013.0, 6.0, 0.3),
            new Template("co2", "ppm", 600.0, 150.0, 10.0),
            new Template("vibration", "mm/s", 2.0, 1.5, 0.4),
            new Template("voltage", "V", 230.0, 3.0, 0.5));

    private static final double PERIOD_SECONDS = 600.0;

    private final String name;
    private final String unit;
    private final Template template;
    private final double phase;
    private final SplittableRandom random;

    private SensorModel(String name, Template template, long seed) {
        this.name = name;
        this.unit = template.unit();
        this.template = template;
        this.random = new SplittableRandom(seed);
        this.phase = random.nextDouble(0, 2 * Math.PI);
    }

    /** The first {@code count} sensors of the catalogue; names repeat with a numeric suffix past its end. */
    public static List<SensorModel> standardSet(int count, long seed) {
        List<SensorModel> sensors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Template template = CATALOGUE.get(i % CATALOGUE.size());
            int round = i / CATALOGUE.size();
            String name = round == 0 ? template.name() : template.name() + "_" + (round + 1);
            sensors.add(new SensorModel(name, template, seed * 31 + i));
        }
        return sensors;
    }

    public String name() {
        return name;
    }

    public String unit() {
        return unit;
    }

    /** The value at the given event time. */
    public double sample(long eventTimeUnixNanos) {
        double seconds = eventTimeUnixNanos / 1e9;
        double wave = Math.sin(2 * Math.PI * seconds / PERIOD_SECONDS + phase);
        double noise = random.nextDouble(-1, 1) * template.noise();
        return Math.round((template.base() + template.amplitude() * wave + noise) * 1000.0) / 1000.0;
    }

    private record Template(String name, String unit, double base, double amplitude, double noise) {
    }
}
