package io.tributary.agent;

import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.outbox.OutboxSettings.FsyncPolicy;
import io.tributary.agent.sensor.SensorSpec;
import io.tributary.agent.transport.Publisher;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples sensors into batches, appends every batch to the disk outbox, and publishes from the outbox until PUBACK.
 * This class is the lifecycle: it wires the parts, starts them and stops them in order.
 *
 * <p>Threads: one scheduler thread samples, closes batches, applies pushed config and (fsync policy "interval") forces
 * the outbox ({@link Sampler}); one publisher thread connects with backoff and sends ({@link PublishLoop}). The status
 * message ({@link StatusMessage}) is rebuilt whenever the sampler or the publisher marks the state changed.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig config;
    private final DiskOutbox outbox;
    private final Publisher publisher;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            runnable -> new Thread(runnable, "agent-sampler"));
    private final Sampler sampler;
    private final PublishLoop publishLoop;
    private final Thread publisherThread;

    public Agent(AgentConfig config, DiskOutbox outbox, Publisher publisher) {
        this(config, outbox, publisher, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random numbers in [0, 1) for the jitter of the backoffs (tests make it deterministic) */
    Agent(AgentConfig config, DiskOutbox outbox, Publisher publisher, DoubleSupplier random) {
        this.config = config;
        this.outbox = outbox;
        this.publisher = publisher;
        AtomicBoolean statusDirty = new AtomicBoolean();
        this.sampler = new Sampler(config, outbox, scheduler, statusDirty);
        this.publishLoop = new PublishLoop(config, outbox, publisher,
                new StatusMessage(config.deviceId(), outbox, sampler), statusDirty, random);
        this.publisherThread = new Thread(publishLoop, "agent-publisher");
        publisher.onConfig(payload -> scheduler.execute(() -> sampler.applyPushedConfig(payload)));
    }

    public void start() {
        sampler.start(Math.max(50, Math.min(1000, config.batchMaxAge().toMillis() / 4)));
        if (config.outbox().fsync() == FsyncPolicy.INTERVAL) {
            long ms = config.outbox().fsyncInterval().toMillis();
            scheduler.scheduleWithFixedDelay(outbox::sync, ms, ms, TimeUnit.MILLISECONDS);
        }
        publisherThread.start();
        LOG.info("Agent started [device: {}, sensors: {}, server: {}, outbox: {} pending]", config.deviceId(),
                sampler.sensors().stream().filter(SensorSpec::enabled).map(SensorSpec::name).toList(),
                config.mqtt().serverUri(), outbox.pendingCount());
    }

    /** Batches the gateway refused for good since start (dropped, their readings counted). */
    public long refusedBatchesTotal() {
        return publishLoop.refusedBatchesTotal();
    }

    /** Transient refusals since start (each batch sent again later). */
    public long retriedBatchesTotal() {
        return publishLoop.retriedBatchesTotal();
    }

    /** Current sensor problems by name (empty when all read). */
    public Map<String, String> sensorProblems() {
        return sampler.sensorProblems();
    }

    public String lastConfigResult() {
        return sampler.lastConfigResult();
    }

    public List<SensorSpec> sensors() {
        return sampler.sensors();
    }

    /** Stops sampling, closes the open batch into the outbox, gives unsent batches a few seconds, disconnects. */
    @Override
    public void close() {
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
            sampler.closeBatch();
            long deadline = System.currentTimeMillis() + 3_000;
            while (publisher.isConnected() && outbox.pendingCount() > 0 && System.currentTimeMillis() < deadline) {
                outbox.awaitChange(outbox.changes(), 100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publishLoop.stop();
        publisherThread.interrupt();
        try {
            publisherThread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.close();
        LOG.info("Agent stopped [unsent batches kept in the outbox: {}]", outbox.pendingCount());
        outbox.close();
    }
}
