package io.tributary.agent;

import io.tributary.agent.batch.BatchAssembler;
import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.config.ConfigException;
import io.tributary.agent.config.ConfigUpdate;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.sensor.Sensor;
import io.tributary.agent.sensor.SensorException;
import io.tributary.agent.sensor.SensorSpec;
import io.tributary.agent.sensor.Sensors;
import io.tributary.proto.v1.ReadingBatch;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the sensors into batches and closes each batch into the outbox; applies pushed config changes. Runs on the
 * agent's one scheduler thread, the only writer of the outbox. Keeps each sensor's current problem for the status.
 */
final class Sampler {

    /** The agent's log lines keep one logger name, whichever part of the agent writes them. */
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final ScheduledExecutorService scheduler;
    private final Sensors factory;
    private final DiskOutbox outbox;
    private final BatchAssembler assembler;
    /** Set when something the status message shows changed. */
    private final AtomicBoolean statusDirty;
    private final Map<String, ScheduledFuture<?>> sampling = new LinkedHashMap<>();
    private final Map<String, String> sensorProblems = new ConcurrentHashMap<>();
    private volatile List<SensorSpec> specs;
    private volatile String lastConfigResult = "none";

    Sampler(AgentConfig config, DiskOutbox outbox, ScheduledExecutorService scheduler, AtomicBoolean statusDirty) {
        this.scheduler = scheduler;
        this.factory = new Sensors(config.root());
        this.outbox = outbox;
        this.statusDirty = statusDirty;
        this.specs = config.sensors();
        this.assembler = new BatchAssembler(config.deviceId(), config.batchMaxReadings(),
                config.batchMaxAge().toNanos());
    }

    /** Starts sampling; the first batch goes out as soon as every sensor was read once (quick first data). */
    void start(long tickMs) {
        scheduler.execute(() -> {
            schedule(specs);
            scheduler.schedule(this::closeBatch, 0, TimeUnit.MILLISECONDS);
        });
        scheduler.scheduleWithFixedDelay(this::closeBatchIfDue, tickMs, tickMs, TimeUnit.MILLISECONDS);
    }

    /** (Re)schedules sampling; runs on the scheduler thread. */
    private void schedule(List<SensorSpec> newSpecs) {
        sampling.values().forEach(f -> f.cancel(false));
        sampling.clear();
        for (SensorSpec spec : newSpecs) {
            if (!spec.enabled()) {
                sensorProblems.remove(spec.name());
                continue;
            }
            Sensor sensor = factory.create(spec);
            long ms = spec.interval().toMillis();
            sampling.put(spec.name(), scheduler.scheduleAtFixedRate(() -> sample(sensor), 0, ms,
                    TimeUnit.MILLISECONDS));
        }
        specs = List.copyOf(newSpecs);
        statusDirty.set(true);
    }

    private void sample(Sensor sensor) {
        try {
            double value = sensor.read();
            if (sensorProblems.remove(sensor.name()) != null) {
                LOG.info("Sensor reads again [sensor: {}]", sensor.name());
                statusDirty.set(true);
            }
            boolean full = assembler.add(sensor.name(), sensor.unit(), value, nowUnixNanos(), System.nanoTime());
            if (full) {
                closeBatch();
            }
        } catch (SensorException e) {
            String previous = sensorProblems.put(sensor.name(), e.getMessage());
            if (!e.getMessage().equals(previous)) {
                LOG.warn("Sensor cannot be read [sensor: {}, problem: {}]", sensor.name(), e.getMessage());
                statusDirty.set(true);
            }
        } catch (RuntimeException e) {
            LOG.error("Sampling failed [sensor: {}]", sensor.name(), e);
        }
    }

    private void closeBatchIfDue() {
        if (assembler.isDue(System.nanoTime())) {
            closeBatch();
        }
    }

    void closeBatch() {
        try {
            long seq = outbox.nextSequence();
            long dropped = outbox.droppedReadings();
            ReadingBatch batch = assembler.close(seq, nowUnixNanos(), dropped);
            if (batch == null) {
                return;
            }
            long droppedBefore = outbox.droppedReadingsTotal();
            if (outbox.append(seq, batch.getReadingsCount(), batch.toByteArray())) {
                outbox.dropsReported(dropped);
            }
            if (outbox.droppedReadingsTotal() != droppedBefore) {
                statusDirty.set(true); // the next status message carries the new drop count
            }
        } catch (RuntimeException e) {
            LOG.error("Storing a batch in the outbox failed; its readings are lost", e);
        }
    }

    /** A message on the config topic; runs on the scheduler thread. */
    void applyPushedConfig(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return; // a cleared retained config
        }
        try {
            List<SensorSpec> updated = ConfigUpdate.apply(text, specs);
            schedule(updated);
            lastConfigResult = "applied";
            LOG.info("Applied a pushed config [sensors: {}]", describe(updated));
        } catch (ConfigException e) {
            lastConfigResult = "rejected: " + e.getMessage();
            LOG.warn("Rejected a pushed config; the running config stays [problem: {}]", e.getMessage());
        } catch (RuntimeException e) {
            lastConfigResult = "rejected: " + e.getMessage();
            LOG.warn("Rejected a pushed config; the running config stays", e);
        }
        statusDirty.set(true);
    }

    private static String describe(List<SensorSpec> specs) {
        return specs.stream().map(s -> s.name() + (s.enabled() ? "@" + s.interval().toMillis() + "ms" : ":off"))
                .collect(Collectors.joining(", "));
    }

    /** The current problem of each sensor that cannot be read. */
    Map<String, String> sensorProblems() {
        return Map.copyOf(sensorProblems);
    }

    String problemOf(String sensor) {
        return sensorProblems.get(sensor);
    }

    List<SensorSpec> sensors() {
        return specs;
    }

    String lastConfigResult() {
        return lastConfigResult;
    }

    static long nowUnixNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
