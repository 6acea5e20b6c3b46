package io.tributary.agent;

import io.tributary.agent.batch.BatchAssembler;
import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.config.ConfigException;
import io.tributary.agent.config.ConfigUpdate;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.outbox.DiskOutbox.PendingBatch;
import io.tributary.agent.outbox.OutboxSettings.FsyncPolicy;
import io.tributary.agent.sensor.Sensor;
import io.tributary.agent.sensor.SensorException;
import io.tributary.agent.sensor.SensorSpec;
import io.tributary.agent.sensor.Sensors;
import io.tributary.agent.transport.Backoff;
import io.tributary.agent.transport.PubAck;
import io.tributary.agent.transport.Publisher;
import io.tributary.agent.transport.ReasonCodes;
import io.tributary.proto.v1.ReadingBatch;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples sensors into batches, appends every batch to the disk outbox, and publishes from the outbox until PUBACK.
 *
 * <p>Threads: one scheduler thread samples, closes batches and (fsync policy "interval") forces the outbox; one
 * publisher thread connects with backoff and sends. After a (re)connect, batches created while connected ("live") go
 * first; older ones ("backlog") replay oldest first at {@code mqtt.replay-rate} batches per second. At most
 * min({@code mqtt.max-inflight}, the gateway's Receive Maximum) publishes are unacknowledged at once.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** A refusal of the same reason code is logged at most once per this many ms (a device can cause them). */
    private static final long REFUSAL_LOG_INTERVAL_MS = 60_000;

    private final AgentConfig config;
    private final Sensors factory;
    private final DiskOutbox outbox;
    private final Publisher publisher;
    private final BatchAssembler assembler;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            runnable -> new Thread(runnable, "agent-sampler"));
    private final Thread publisherThread = new Thread(this::publishLoop, "agent-publisher");
    private final Map<String, ScheduledFuture<?>> sampling = new LinkedHashMap<>();
    private final Map<String, String> sensorProblems = new ConcurrentHashMap<>();
    private final Set<Long> inflight = ConcurrentHashMap.newKeySet();
    /** Batches the gateway refused for now (0x80, 0x97, ...): sent again, oldest first, once the pause is over. */
    private final Set<Long> retry = new ConcurrentSkipListSet<>();
    /** Pauses sending after a transient refusal: exponential with jitter, capped; reset by an accepted PUBACK. */
    private final Backoff refusalBackoff;
    private final RateLimitedLog refusalLog = new RateLimitedLog(LOG, REFUSAL_LOG_INTERVAL_MS);
    private volatile long pausedUntilNanos = System.nanoTime();
    private volatile boolean connectionHeld;
    private volatile long refusedBatchesTotal;
    private volatile long retriedBatchesTotal;
    private volatile List<SensorSpec> specs;
    private volatile String lastConfigResult = "none";
    private volatile boolean statusDirty;
    private volatile boolean running;
    private volatile boolean connectionBroken;
    private volatile boolean firstAckLogged;

    public Agent(AgentConfig config, DiskOutbox outbox, Publisher publisher) {
        this.config = config;
        this.factory = new Sensors(config.root());
        this.outbox = outbox;
        this.publisher = publisher;
        this.specs = config.sensors();
        this.assembler = new BatchAssembler(config.deviceId(), config.batchMaxReadings(),
                config.batchMaxAge().toNanos());
        this.refusalBackoff = new Backoff(config.mqtt().backoffInitial(), config.mqtt().backoffMax(),
                () -> ThreadLocalRandom.current().nextDouble());
        publisher.onConfig(payload -> scheduler.execute(() -> applyPushedConfig(payload)));
    }

    public void start() {
        running = true;
        scheduler.execute(() -> {
            schedule(specs);
            // the first batch goes out as soon as every sensor was read once: quick first data after a (re)start
            scheduler.schedule(this::closeBatch, 0, TimeUnit.MILLISECONDS);
        });
        long tickMs = Math.max(50, Math.min(1000, config.batchMaxAge().toMillis() / 4));
        scheduler.scheduleWithFixedDelay(this::closeBatchIfDue, tickMs, tickMs, TimeUnit.MILLISECONDS);
        if (config.outbox().fsync() == FsyncPolicy.INTERVAL) {
            long ms = config.outbox().fsyncInterval().toMillis();
            scheduler.scheduleWithFixedDelay(outbox::sync, ms, ms, TimeUnit.MILLISECONDS);
        }
        publisherThread.start();
        LOG.info("Agent started [device: {}, sensors: {}, server: {}, outbox: {} pending]", config.deviceId(),
                specs.stream().filter(SensorSpec::enabled).map(SensorSpec::name).toList(),
                config.mqtt().serverUri(), outbox.pendingCount());
    }

    // ------------------------------------------------------------------------------------------------ sampling

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
        statusDirty = true;
    }

    void sample(Sensor sensor) {
        try {
            double value = sensor.read();
            if (sensorProblems.remove(sensor.name()) != null) {
                LOG.info("Sensor reads again [sensor: {}]", sensor.name());
                statusDirty = true;
            }
            boolean full = assembler.add(sensor.name(), sensor.unit(), value, nowUnixNanos(), System.nanoTime());
            if (full) {
                closeBatch();
            }
        } catch (SensorException e) {
            String previous = sensorProblems.put(sensor.name(), e.getMessage());
            if (!e.getMessage().equals(previous)) {
                LOG.warn("Sensor cannot be read [sensor: {}, problem: {}]", sensor.name(), e.getMessage());
                statusDirty = true;
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

    /** Closes the current batch into the outbox; the scheduler thread is the only writer. */
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
                statusDirty = true; // the next status message carries the new drop count
            }
        } catch (RuntimeException e) {
            LOG.error("Storing a batch in the outbox failed; its readings are lost", e);
        }
    }

    private void applyPushedConfig(byte[] payload) {
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
        statusDirty = true;
    }

    private static String describe(List<SensorSpec> specs) {
        List<String> out = new ArrayList<>();
        for (SensorSpec s : specs) {
            out.add(s.name() + (s.enabled() ? "@" + s.interval().toMillis() + "ms" : ":off"));
        }
        return String.join(", ", out);
    }

    // ------------------------------------------------------------------------------------------------ publishing

    private void publishLoop() {
        Backoff backoff = new Backoff(config.mqtt().backoffInitial(), config.mqtt().backoffMax(),
                () -> ThreadLocalRandom.current().nextDouble());
        long outageStartedMs = 0;
        boolean outage = false;
        while (running) {
            try {
                publisher.disconnect();
                inflight.clear();
                retry.clear(); // a new connection replays everything pending anyway
                connectionBroken = false;
                int receiveMaximum;
                try {
                    statusDirty = false; // the birth message carries the state as of now
                    receiveMaximum = publisher.connect(status("online"), status("offline"));
                } catch (Exception e) {
                    if (!outage) {
                        outage = true;
                        outageStartedMs = System.currentTimeMillis();
                        LOG.warn("Cannot connect to the gateway; buffering in the outbox, retrying with backoff "
                                + "(logged once per outage) [server: {}]: {}",
                                config.mqtt().serverUri(), e.getMessage() != null ? e.getMessage() : e.toString());
                    }
                    sleep(backoff.nextDelayMs());
                    continue;
                }
                if (outage) {
                    outage = false;
                    LOG.info("Gateway reachable again [server: {}, outage: {} s, backlog: {} batches]",
                            config.mqtt().serverUri(), (System.currentTimeMillis() - outageStartedMs) / 1000,
                            outbox.pendingCount());
                } else {
                    LOG.info("Connected [server: {}, receive maximum: {}]", config.mqtt().serverUri(),
                            receiveMaximum);
                }
                long connectedAt = System.nanoTime();
                connectionHeld = false;
                sendConnected(Math.min(config.mqtt().maxInflight(), receiveMaximum));
                // The connection ended. A gateway that takes the CONNECT and then closes the connection (MQTT 3.1.1
                // after a failed send, a session takeover, an overloaded gateway) must not see a reconnect loop:
                // the reconnect backoff is reset only by a connection that held (a batch acknowledged, or it lasted
                // longer than the longest backoff).
                if (connectionHeld || System.nanoTime() - connectedAt >= config.mqtt().backoffMax().toNanos()) {
                    backoff.reset();
                } else if (running) {
                    long delay = backoff.nextDelayMs();
                    LOG.info("Connection ended before any batch was acknowledged; reconnecting in {} ms [server: {}]",
                            delay, config.mqtt().serverUri());
                    sleep(delay);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Publishing failed unexpectedly; reconnecting", e);
                try {
                    sleep(backoff.nextDelayMs());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Sends while the connection lasts. */
    private void sendConnected(int window) throws InterruptedException {
        long backlogEnd = outbox.durableSequence(); // what existed at connect time is backlog
        long liveCursor = backlogEnd;
        long backlogCursor = 0;
        double tokens = 1;
        long lastRefill = System.nanoTime();
        double rate = config.mqtt().replayRate();
        while (running && publisher.isConnected() && !connectionBroken) {
            long seen = outbox.changes();
            long now = System.nanoTime();
            long paused = pausedUntilNanos - now;
            if (paused > 0) {
                // refused for now (throttled, Kafka down): nothing goes out, not even a status, until the pause ends
                outbox.awaitChange(seen, Math.min(200, Math.max(1, paused / 1_000_000)), TimeUnit.MILLISECONDS);
                continue;
            }
            if (statusDirty) {
                statusDirty = false;
                publishStatus();
            }
            tokens = Math.min(Math.max(1, rate), tokens + (now - lastRefill) / 1e9 * rate);
            lastRefill = now;
            Long next = null;
            if (inflight.size() < window) {
                Long again = firstRetry();
                if (again != null) {
                    next = again;
                } else {
                    PendingBatch live = outbox.nextPendingAfter(liveCursor, Long.MAX_VALUE);
                    if (live != null) {
                        liveCursor = live.seq();
                        next = live.seq();
                    } else if (tokens >= 1) {
                        PendingBatch old = outbox.nextPendingAfter(backlogCursor, backlogEnd);
                        if (old != null) {
                            backlogCursor = old.seq();
                            tokens -= 1;
                            next = old.seq();
                        }
                    }
                }
            }
            if (next == null) {
                outbox.awaitChange(seen, tokens >= 1 ? 200 : Math.max(1, (long) ((1 - tokens) / rate * 1000)),
                        TimeUnit.MILLISECONDS);
                continue;
            }
            send(next);
        }
    }

    /** The oldest batch waiting to be sent again that is not in flight, or null. */
    private Long firstRetry() {
        for (Long seq : retry) {
            if (!inflight.contains(seq)) {
                retry.remove(seq);
                return seq;
            }
        }
        return null;
    }

    private void send(long seq) {
        byte[] payload = outbox.read(seq);
        if (payload == null) {
            return; // dropped meanwhile
        }
        long packetBytes = publishPacketBytes(config.telemetryTopic(), payload.length);
        if (packetBytes > publisher.maximumPacketSize()) {
            // The gateway would end the connection (0x95) instead of answering, and the batch would go out again
            // after every reconnect: it is refused for good, here.
            settled(seq, new PubAck(0x95, "batch of " + packetBytes + " bytes exceeds the gateway's maximum packet "
                    + "size " + publisher.maximumPacketSize()), null);
            return;
        }
        inflight.add(seq);
        publisher.publish(config.telemetryTopic(), payload).whenComplete((ack, error) -> {
            try {
                settled(seq, ack, error);
            } finally {
                inflight.remove(seq);
            }
        });
    }

    /** The size of a QoS 1 MQTT 5 PUBLISH without properties, as the gateway's Maximum Packet Size counts it. */
    static long publishPacketBytes(String topic, int payloadBytes) {
        long remaining = 2L + topic.getBytes(StandardCharsets.UTF_8).length + 2 + 1 + payloadBytes;
        int lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
        return 1 + lengthBytes + remaining;
    }

    /** Applies the gateway's answer to batch {@code seq}; runs on the MQTT client's thread. */
    private void settled(long seq, PubAck ack, Throwable error) {
        if (error != null) {
            LOG.debug("Publish failed [seq: {}]", seq, error);
            connectionBroken = true; // no answer: the new connection replays it
            return;
        }
        switch (ack.kind()) {
            case ACCEPTED -> {
                outbox.acknowledge(seq);
                connectionHeld = true;
                synchronized (refusalBackoff) {
                    refusalBackoff.reset();
                }
                if (!firstAckLogged) {
                    firstAckLogged = true;
                    LOG.info("First batch acknowledged [seq: {}, ms since JVM start: {}]", seq,
                            ProcessHandle.current().info().startInstant()
                                    .map(t -> System.currentTimeMillis() - t.toEpochMilli()).orElse(-1L));
                }
            }
            case PERMANENT -> {
                // Sending it again cannot help: drop it, count its readings (the next batches report them in
                // dropped_readings), and say why once.
                refusedBatchesTotal++;
                outbox.discard(seq, "refused by the gateway (" + ack.describe() + ")");
                refusalLog.warn(ack.reasonCode(), "Gateway refused a batch for good; dropped it and counted its "
                        + "readings as dropped [seq: {}, answer: {}]", seq, ack.describe());
                statusDirty = true;
            }
            case TRANSIENT -> {
                retriedBatchesTotal++;
                retry.add(seq);
                long delayMs = pause();
                if (delayMs > 0) {
                    refusalLog.warn(ack.reasonCode(), "Gateway refused a batch for now; keeping it and sending "
                            + "again in {} ms [seq: {}, answer: {}]", delayMs, seq, ack.describe());
                }
            }
            default -> throw new IllegalStateException("unknown kind " + ack.kind());
        }
    }

    /**
     * Starts a pause after a transient refusal and returns its length; 0 when a pause is already running (the other
     * batches in flight when the gateway started refusing do not make the backoff grow).
     */
    private long pause() {
        synchronized (refusalBackoff) {
            long now = System.nanoTime();
            if (now < pausedUntilNanos) {
                return 0;
            }
            long delayMs = refusalBackoff.nextDelayMs();
            pausedUntilNanos = now + TimeUnit.MILLISECONDS.toNanos(delayMs);
            return delayMs;
        }
    }

    private void publishStatus() {
        publisher.publish(config.statusTopic(), status("online")).whenComplete((ack, error) -> {
            if (error != null) {
                statusDirty = true; // try again with the next connection
            } else if (ack.kind() == ReasonCodes.Kind.TRANSIENT) {
                statusDirty = true; // again after the pause
                pause();
            } else if (ack.kind() == ReasonCodes.Kind.PERMANENT) {
                // the next change of state sends a new one; this one is not sent again
                refusalLog.warn(ack.reasonCode(), "Gateway refused a status message [answer: {}]", ack.describe());
            }
        });
    }

    /** Batches the gateway refused for good since start (dropped, their readings counted). */
    public long refusedBatchesTotal() {
        return refusedBatchesTotal;
    }

    /** Transient refusals since start (each batch sent again later). */
    public long retriedBatchesTotal() {
        return retriedBatchesTotal;
    }

    /** The status message: JSON, small, hand-written (no JSON library on the device). */
    byte[] status(String state) {
        StringBuilder json = new StringBuilder(256).append("{\"device\":\"").append(config.deviceId())
                .append("\",\"state\":\"").append(state).append('"');
        if (state.equals("online")) {
            json.append(",\"time_unix_nanos\":").append(nowUnixNanos())
                    .append(",\"outbox_batches\":").append(outbox.pendingCount())
                    .append(",\"outbox_bytes\":").append(outbox.sizeBytes())
                    .append(",\"dropped_readings_total\":").append(outbox.droppedReadingsTotal())
                    .append(",\"dropped_readings_unreported\":").append(outbox.droppedReadings())
                    .append(",\"config\":\"").append(escape(lastConfigResult)).append("\",\"sensors\":{");
            boolean first = true;
            for (SensorSpec spec : specs) {
                String problem = sensorProblems.get(spec.name());
                json.append(first ? "" : ",").append('"').append(escape(spec.name())).append("\":\"")
                        .append(!spec.enabled() ? "off" : problem == null ? "ok" : "failing: " + escape(problem))
                        .append('"');
                first = false;
            }
            json.append('}');
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Current sensor problems by name (empty when all read). */
    public Map<String, String> sensorProblems() {
        return Map.copyOf(sensorProblems);
    }

    public String lastConfigResult() {
        return lastConfigResult;
    }

    public List<SensorSpec> sensors() {
        return specs;
    }

    /** Stops sampling, closes the open batch into the outbox, gives unsent batches a few seconds, disconnects. */
    @Override
    public void close() {
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
            closeBatch();
            long deadline = System.currentTimeMillis() + 3_000;
            while (publisher.isConnected() && outbox.pendingCount() > 0 && System.currentTimeMillis() < deadline) {
                outbox.awaitChange(outbox.changes(), 100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
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

    private static void sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }

    private static long nowUnixNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
