package io.tributary.demo.hostile;

import io.tributary.demo.measure.LatencySummary;
import io.tributary.simulator.verify.VerificationReport;
import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the hostile-device suite: the {@link HostileCluster}, the {@link HonestFleet} publishing throughout, and
 * phases, each a set of attacks run at the same time (or none: a baseline), each with the honest fleet's PUBACK and
 * CONNACK histograms of exactly its own interval. The integration test groups attacks to stay short; the benchmark
 * runs them one at a time.
 */
public final class HostileRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostileRun.class);

    private final HostileCluster cluster;
    private final HonestFleet fleet;
    private final Attacks attacks;
    private final List<Phase> phases = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "hostile-attack");
        thread.setDaemon(true);
        return thread;
    });

    private HostileRun(HostileCluster cluster, HonestFleet fleet, Attacks attacks) {
        this.cluster = cluster;
        this.fleet = fleet;
        this.attacks = attacks;
    }

    /** Starts the pipeline, provisions the attackers and starts {@code devices} honest devices. */
    public static HostileRun start(Path root, Path logs, int devices, Duration batchInterval)
            throws IOException, InterruptedException {
        HostileCluster cluster = HostileCluster.start(root, logs);
        try {
            Attacks attacks = Attacks.prepare(cluster);
            HonestFleet fleet = HonestFleet.start(cluster, "hon", devices, batchInterval);
            return new HostileRun(cluster, fleet, attacks);
        } catch (RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
    }

    public HostileCluster cluster() {
        return cluster;
    }

    public HonestFleet fleet() {
        return fleet;
    }

    public List<Phase> phases() {
        return List.copyOf(phases);
    }

    /** An attack to run in a phase. */
    @FunctionalInterface
    public interface Attack {
        AttackResult run(Attacks attacks) throws Exception;
    }

    /**
     * One phase: what ran, when, what the attackers got, and the honest fleet's PUBACK and CONNACK times (µs) and
     * failed connects meanwhile.
     */
    public record Phase(String name, Instant started, Instant ended, List<AttackResult> attacks, Histogram puback,
            Histogram connack, long failedConnects, double gatewayCpuSeconds) {

        public AttackResult attack(String namePart) {
            return attacks.stream().filter(a -> a.name().contains(namePart)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no attack '" + namePart + "' in " + name));
        }

        /** The honest PUBACK percentile in milliseconds (NaN without samples). */
        public double pubackMillis(double percentile) {
            return LatencySummary.percentileMillis(puback, percentile);
        }

        public double connackMillis(double percentile) {
            return LatencySummary.percentileMillis(connack, percentile);
        }
    }

    /** The honest fleet alone for {@code duration}: the baseline. */
    public Phase quiet(String name, Duration duration) throws InterruptedException {
        return phase(name, duration, List.of());
    }

    /**
     * Runs {@code attacks} at the same time; the phase lasts until all are done and at least {@code minimum}.
     * An attack that throws fails the phase with its cause.
     */
    public Phase phase(String name, Duration minimum, List<Attack> running) throws InterruptedException {
        cluster.watchdog().phase(name);
        fleet.pubackInterval();
        fleet.connackInterval();
        fleet.failedConnectsInterval();
        double cpuBefore = cluster.gateway().cpuSeconds();
        Instant started = Instant.now();
        long earliestEnd = System.nanoTime() + minimum.toNanos();
        LOG.info("Phase {} starts ({} attacks)", name, running.size());
        List<Future<AttackResult>> futures = running.stream().map(attack -> pool.submit(() -> attack.run(attacks)))
                .toList();
        List<AttackResult> results = new ArrayList<>();
        for (Future<AttackResult> future : futures) {
            try {
                AttackResult result = future.get();
                LOG.info("Attack done: {}", result);
                results.add(result);
            } catch (ExecutionException e) {
                throw new IllegalStateException("attack of phase " + name + " failed: " + e.getCause(), e.getCause());
            }
        }
        long rest = earliestEnd - System.nanoTime();
        if (rest > 0) {
            Thread.sleep(rest / 1_000_000);
        }
        Phase phase = new Phase(name, started, Instant.now(), results, fleet.pubackInterval(),
                fleet.connackInterval(), fleet.failedConnectsInterval(),
                cluster.gateway().cpuSeconds() - cpuBefore);
        cluster.watchdog().phase("between");
        LOG.info("Phase {} done: honest PUBACK p50 {} ms p99 {} ms ({}), CONNACK p99 {} ms, failed connects {}",
                name, phase.pubackMillis(50), phase.pubackMillis(99), phase.puback().getTotalCount(),
                phase.connackMillis(99), phase.failedConnects());
        phases.add(phase);
        return phase;
    }

    /**
     * Rollups of honest devices with a window start at or after each phase's end, counted once they arrived (waiting
     * up to {@code timeout} for the last phases' windows to close).
     */
    public Map<String, Long> honestRollupsAfterEachPhase(Duration timeout) throws InterruptedException {
        Map<String, Long> counts = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Phase phase : phases) {
            long count = rollupsSince(phase.ended());
            while (count == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1_000);
                count = rollupsSince(phase.ended());
            }
            counts.put(phase.name(), count);
        }
        return counts;
    }

    /** Rollups (10 s windows) of honest devices starting at or after {@code from}. */
    private long rollupsSince(Instant from) {
        List<JsonArray> rows = cluster.influxQl().query("SELECT count(\"count\") FROM \"rollups\" WHERE "
                + "\"device\" =~ /^" + fleet.devicePrefix().replace("-", "\\-") + "/ AND \"window\" = '10s' AND time >= "
                + from.toEpochMilli() + "ms");
        return rows.isEmpty() || rows.get(0).getValue(1) == null ? 0 : rows.get(0).getLong(1);
    }

    /** Stops the honest fleet and holds its ledger against InfluxDB. */
    public VerificationReport stopFleetAndVerify(Duration settle) throws InterruptedException {
        cluster.watchdog().phase("verify");
        return fleet.stopAndVerify(settle);
    }

    @Override
    public void close() {
        pool.shutdownNow();
        fleet.close();
        cluster.close();
    }
}
