package io.tributary.simulator.sensor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The kinds of simulated devices and the sensors each carries. Every device draws its own phase, duty cycle and charge
 * from its random source, so a fleet is varied but repeatable.
 */
public enum DeviceKind {

    /** The flags' fleet: the first N sensors of a general catalogue, each a 10-minute wave plus noise. */
    GENERIC(Duration.ofMillis(200), 5),
    /** temperature (degC), humidity (%), pressure (hPa): a daily cycle plus noise. */
    ENVIRONMENT(Duration.ofSeconds(1), 5),
    /** vibration (mm/s), current (A), motor_temp (degC): the machine runs and rests in duty cycles. */
    MACHINE(Duration.ofMillis(100), 10),
    /** battery_voltage (V): drains from full to empty, then is recharged; meant for sparse reports. */
    BATTERY(Duration.ofSeconds(30), 1);

    /** A scenario profile's sample-interval and batch-size when it gives none. */
    public final Duration defaultSampleInterval;
    public final int defaultBatchSize;

    DeviceKind(Duration defaultSampleInterval, int defaultBatchSize) {
        this.defaultSampleInterval = defaultSampleInterval;
        this.defaultBatchSize = defaultBatchSize;
    }

    private static final double DAY_SECONDS = 86_400;
    private static final double GENERIC_PERIOD_SECONDS = 600;

    /** The kind named in a scenario ({@code environment}, ...); null if there is none of that name. */
    public static DeviceKind byName(String name) {
        return Arrays.stream(values()).filter(kind -> kind.scenarioName().equals(name)).findFirst().orElse(null);
    }

    public String scenarioName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** How many sensors a device of this kind has ({@code genericCount} for {@link #GENERIC}). */
    public int sensorCount(int genericCount) {
        return sensorNames(genericCount).size();
    }

    /** The names of the sensors a device of this kind has. */
    public List<String> sensorNames(int genericCount) {
        return sensors(genericCount, new SplittableRandom(0)).stream().map(SensorModel::name).toList();
    }

    /**
     * The sensors of one device.
     *
     * @param genericCount sensors of a {@link #GENERIC} device (ignored for the other kinds)
     * @param device       the device's random source: its traits are drawn from it, its sensors' noise split off it
     */
    public List<SensorModel> sensors(int genericCount, SplittableRandom device) {
        return switch (this) {
            case GENERIC -> generic(genericCount, device);
            case ENVIRONMENT -> environment(device);
            case MACHINE -> machine(device);
            case BATTERY -> battery(device);
        };
    }

    private static List<SensorModel> environment(SplittableRandom device) {
        // The day starts at a different hour on every device; humidity falls as temperature rises.
        double phase = device.nextDouble(0, 2 * Math.PI);
        double warmth = device.nextDouble(-1, 1);
        return List.of(
                new SensorModel("temperature", "degC", (t, r) -> 21 + warmth * 0.5
                        + 1.5 * Math.sin(2 * Math.PI * t / DAY_SECONDS + phase) + r.nextDouble(-0.15, 0.15),
                        device.split()),
                new SensorModel("humidity", "%", (t, r) -> 50
                        - 6 * Math.sin(2 * Math.PI * t / DAY_SECONDS + phase) + r.nextDouble(-1, 1),
                        device.split()),
                new SensorModel("pressure", "hPa", (t, r) -> 1013
                        + 3 * Math.sin(2 * Math.PI * t / DAY_SECONDS + phase / 2) + r.nextDouble(-0.3, 0.3),
                        device.split()));
    }

    private static List<SensorModel> machine(SplittableRandom device) {
        double period = device.nextDouble(60, 180);       // seconds per run + rest cycle
        double duty = device.nextDouble(0.4, 0.8);        // share of the cycle the machine runs
        double offset = device.nextDouble(0, period);
        DutyCycle cycle = new DutyCycle(period, duty, offset);
        return List.of(
                new SensorModel("vibration", "mm/s", (t, r) -> cycle.running(t)
                        ? 4.0 + r.nextDouble(-0.8, 0.8) : 0.2 + r.nextDouble(0, 0.1), device.split()),
                new SensorModel("current", "A", (t, r) -> cycle.running(t)
                        ? 12.0 + r.nextDouble(-0.5, 0.5) : 0.5 + r.nextDouble(-0.05, 0.05), device.split()),
                new SensorModel("motor_temp", "degC", (t, r) -> cycle.temperature(t) + r.nextDouble(-0.2, 0.2),
                        device.split()));
    }

    private static List<SensorModel> battery(SplittableRandom device) {
        double drainSeconds = device.nextDouble(3_600, 4 * 3_600);
        double charged = device.nextDouble(0, drainSeconds);  // how far into its discharge the battery is at the start
        return List.of(new SensorModel("battery_voltage", "V", (t, r) -> {
            double used = ((t + charged) % drainSeconds) / drainSeconds;
            return 4.2 - 0.9 * used - 0.3 * Math.pow(used, 6) + r.nextDouble(-0.01, 0.01);
        }, device.split()));
    }

    private static final List<String[]> GENERIC_CATALOGUE = List.of(
            new String[] {"temperature", "degC", "21.0", "4.0", "0.2"},
            new String[] {"humidity", "%", "45.0", "10.0", "1.0"},
            new String[] {"pressure", "hPa", "1013.0", "6.0", "0.3"},
            new String[] {"co2", "ppm", "600.0", "150.0", "10.0"},
            new String[] {"vibration", "mm/s", "2.0", "1.5", "0.4"},
            new String[] {"voltage", "V", "230.0", "3.0", "0.5"});

    private static List<SensorModel> generic(int count, SplittableRandom device) {
        List<SensorModel> sensors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String[] template = GENERIC_CATALOGUE.get(i % GENERIC_CATALOGUE.size());
            int round = i / GENERIC_CATALOGUE.size();
            String name = round == 0 ? template[0] : template[0] + "_" + (round + 1);
            double base = Double.parseDouble(template[2]);
            double amplitude = Double.parseDouble(template[3]);
            double noise = Double.parseDouble(template[4]);
            double phase = device.nextDouble(0, 2 * Math.PI);
            sensors.add(new SensorModel(name, template[1], (t, r) -> base
                    + amplitude * Math.sin(2 * Math.PI * t / GENERIC_PERIOD_SECONDS + phase)
                    + r.nextDouble(-1, 1) * noise, device.split()));
        }
        return sensors;
    }

    /** A machine that runs for {@code duty} of every {@code period}, heating while it runs and cooling at rest. */
    private record DutyCycle(double period, double duty, double offset) {
        private static final double AMBIENT = 25;
        private static final double HOT = 65;
        private static final double TIME_CONSTANT = 30;

        boolean running(double t) {
            return position(t) < duty * period;
        }

        /** Newton heating/cooling from the steady state of the previous phase (a periodic steady state is close enough). */
        double temperature(double t) {
            double position = position(t);
            double on = duty * period;
            double peak = AMBIENT + (HOT - AMBIENT) * (1 - Math.exp(-on / TIME_CONSTANT));
            if (position < on) {
                double start = AMBIENT + (peak - AMBIENT) * Math.exp(-(period - on) / TIME_CONSTANT);
                return HOT - (HOT - start) * Math.exp(-position / TIME_CONSTANT);
            }
            return AMBIENT + (peak - AMBIENT) * Math.exp(-(position - on) / TIME_CONSTANT);
        }

        private double position(double t) {
            double p = (t + offset) % period;
            return p < 0 ? p + period : p;
        }
    }
}
