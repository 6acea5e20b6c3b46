package io.tributary.simulator.scenario;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A simulated fleet: device profiles, scripted anomalies, a seed (same seed, same values), and how fast devices connect.
 * Device {@code i} of the fleet (0-based) belongs to the profiles in order: the first profile's devices come first.
 *
 * @param name        shown in logs and the ledger
 * @param seed        every sensor value derives from it
 * @param connectRate devices that connect per second at the start (ramp-up)
 * @param profiles    at least one
 * @param anomalies   may be empty
 */
public record Scenario(String name, long seed, int connectRate, List<Profile> profiles, List<Anomaly> anomalies) {

    public static final long DEFAULT_SEED = 1;
    public static final int DEFAULT_CONNECT_RATE = 1_000;

    public Scenario {
        Objects.requireNonNull(name, "name");
        requireRange("connect-rate", connectRate, 1, 1_000_000);
        profiles = List.copyOf(profiles);
        anomalies = List.copyOf(anomalies);
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException("profiles: at least one profile is required");
        }
        Set<String> names = new HashSet<>();
        long total = 0;
        for (Profile profile : profiles) {
            if (!names.add(profile.name())) {
                throw new IllegalArgumentException("profiles: duplicate profile name '" + profile.name() + "'");
            }
            total += profile.devices();
        }
        if (total > 100_000) {
            throw new IllegalArgumentException("profiles: at most 100000 devices in all, got " + total);
        }
        for (int i = 0; i < anomalies.size(); i++) {
            checkAnomaly(i, anomalies.get(i), profiles, (int) total);
        }
    }

    private static void checkAnomaly(int index, Anomaly anomaly, List<Profile> profiles, int total) {
        String where = "anomalies[" + index + "] (" + anomaly.type().scenarioName() + ")";
        Profile profile = null;
        if (anomaly.profile() != null) {
            profile = profiles.stream().filter(p -> p.name().equals(anomaly.profile())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(where + ": profile '" + anomaly.profile()
                            + "' is not one of the scenario's profiles"));
        }
        int available = profile == null ? total : profile.devices();
        if (anomaly.devices() != Anomaly.ALL && anomaly.devices() > available) {
            throw new IllegalArgumentException(where + ": devices is " + anomaly.devices() + " but "
                    + (profile == null ? "the fleet" : "profile '" + profile.name() + "'") + " has only " + available);
        }
        if (anomaly.sensor() != null && profile == null) {
            throw new IllegalArgumentException(where + ": sensor needs a profile, to know which sensors exist");
        }
        if (anomaly.sensor() != null && !profile.kind().sensorNames(profile.sensors()).contains(anomaly.sensor())) {
            throw new IllegalArgumentException(where + ": sensor '" + anomaly.sensor() + "' is not a sensor of profile '"
                    + profile.name() + "' (it has " + profile.kind().sensorNames(profile.sensors()) + ")");
        }
    }

    public int devices() {
        return profiles.stream().mapToInt(Profile::devices).sum();
    }

    /** The profile of device {@code index} (0-based, fleet-wide). */
    public Profile profileOf(int index) {
        int first = 0;
        for (Profile profile : profiles) {
            if (index < first + profile.devices()) {
                return profile;
            }
            first += profile.devices();
        }
        throw new IndexOutOfBoundsException("no device " + index + " in a fleet of " + first);
    }

    /** The fleet-wide indexes of the devices an anomaly hits, in order. */
    public List<Integer> devicesOf(Anomaly anomaly) {
        int[] range = selection(anomaly);
        return IntStream.range(range[0], range[0] + range[1]).boxed().toList();
    }

    /** The anomalies that hit device {@code index}. */
    public List<Anomaly> anomaliesOf(int index) {
        return anomalies.stream().filter(anomaly -> {
            int[] range = selection(anomaly);
            return index >= range[0] && index < range[0] + range[1];
        }).toList();
    }

    /** {first index, count} of the devices an anomaly hits: the first ones of its profile, or of the fleet. */
    private int[] selection(Anomaly anomaly) {
        int first = 0;
        int count = devices();
        if (anomaly.profile() != null) {
            for (Profile profile : profiles) {
                if (profile.name().equals(anomaly.profile())) {
                    count = profile.devices();
                    break;
                }
                first += profile.devices();
            }
        }
        return new int[] {first, anomaly.devices() == Anomaly.ALL ? count : Math.min(anomaly.devices(), count)};
    }

    /** Rejects a value outside {@code [min, max]} with a message naming {@code key}. */
    public static void requireRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
