package io.tributary.agent;

import io.tributary.agent.batch.BatchAssembler;
import io.tributary.agent.batch.BatchQueue;
import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.sensor.Sensor;
import io.tributary.agent.transport.Publisher;
import io.tributary.proto.v1.ReadingBatch;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples sensors, closes batches and publishes them until acknowledged. One scheduler thread samples and batches; one
 * publisher thread sends, oldest first, and keeps a batch until the gateway's PUBACK.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final long MAX_BACKOFF_MS = 60_000;

    private final AgentConfig config;
    private final List<Sensor> sensors;
    private final BatchAssembler assembler;
    private final BatchQueue queue;
    private final Publisher publisher;
    private final String telemetryTopic;
    private final Set<String> failingSensors = new HashSet<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            runnable -> new Thread(runnable, "agent-sampler"));
    private final Thread publisherThread = new Thread(this::publishLoop, "agent-publisher");
    private volatile boolean running;

    public Agent(AgentConfig config, List<Sensor> sensors, BatchAssembler assembler, BatchQueue queue,
            Publisher publisher) {
        this.config = config;
        this.sensors = List.copyOf(sensors);
        this.assembler = assembler;
        this.queue = queue;
        this.publisher = publisher;
        this.telemetryTopic = "devices/" + config.deviceId() + "/telemetry";
    }

    public void start() {
        running = true;
        long sampleMs = config.sampleInterval().toMillis();
        long batchMs = config.batchInterval().toMillis();
        scheduler.scheduleAtFixedRate(this::sampleAll, 0, sampleMs, TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(this::closeBatch, batchMs, batchMs, TimeUnit.MILLISECONDS);
        publisherThread.start();
        LOG.info("Agent started [device: {}, sensors: {}, server: {}]", config.deviceId(),
                sensors.stream().map(Sensor::name).toList(), config.mqttServerUri());
    }

    void sampleAll() {
        long now = nowUnixNanos();
        for (Sensor sensor : sensors) {
            OptionalDouble value = sensor.read();
            if (value.isPresent()) {
                assembler.add(sensor.name(), sensor.unit(), value.getAsDouble(), now);
                if (failingSensors.remove(sensor.name())) {
                    LOG.info("Sensor reads again [sensor: {}]", sensor.name());
                }
            } else if (failingSensors.add(sensor.name())) {
                LOG.warn("Sensor cannot be read [sensor: {}]", sensor.name());
            }
        }
    }

    void closeBatch() {
        try {
            ReadingBatch batch = assembler.close(nowUnixNanos(), queue::takeDroppedReadings);
            if (batch != null) {
                queue.add(batch);
            }
        } catch (RuntimeException e) {
            LOG.error("Closing a batch failed", e);
        }
    }

    private void publishLoop() {
        int failures = 0;
        while (running || queue.size() > 0) {
            try {
                ReadingBatch batch = queue.peek(1, TimeUnit.SECONDS);
                if (batch == null) {
                    continue;
                }
                if (!publisher.isConnected()) {
                    publisher.connect();
                    LOG.info("Connected [server: {}]", config.mqttServerUri());
                }
                int reason = publisher.publish(telemetryTopic, batch.toByteArray());
                if (reason < 0x80) {
                    queue.remove(batch);
                    failures = 0;
                } else if (reason == 0x99 || reason == 0x95 || reason == 0x87) {
                    LOG.error("Gateway refused a batch for good [seq: {}, reason: 0x{}]", batch.getBatchSeq(),
                            Integer.toHexString(reason));
                    queue.remove(batch);
                } else {
                    throw new IllegalStateException("gateway answered 0x" + Integer.toHexString(reason));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                failures++;
                if (failures == 1) {
                    LOG.warn("Publishing failed, retrying with backoff [server: {}]: {}", config.mqttServerUri(),
                            e.toString());
                }
                if (!running) {
                    return; // shutting down: what is unsent stays unsent
                }
                sleepBackoff(failures);
            }
        }
    }

    private static void sleepBackoff(int failures) {
        long ceiling = Math.min(MAX_BACKOFF_MS, 500L << Math.min(failures, 16));
        try {
            Thread.sleep(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops sampling, sends what is queued for up to a few seconds, and disconnects. */
    @Override
    public void close() {
        running = false;
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
            closeBatch();
            publisherThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisherThread.interrupt();
        publisher.close();
        LOG.info("Agent stopped [unsent batches: {}]", queue.size());
    }

    private static long nowUnixNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
