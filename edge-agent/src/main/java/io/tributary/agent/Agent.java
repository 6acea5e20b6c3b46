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
import io.tributary.agent.transport.Publisher;
import io.tributary.proto.v1.ReadingBatch;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    private static final Set<Integer> PERMANENT_REFUSALS = Set.of(0x87, 0x90, 0x95, 0x99);

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
        while (running) {
            try {
                if (!publisher.isConnected() || connectionBroken) {
                    publisher.disconnect();
                    inflight.clear();
                    connectionBroken = false;
                    int receiveMaximum;
                    try {
                        statusDirty = false; // the birth message carries the state as of now
                        receiveMaximum = publisher.connect(status("online"), status("offline"));
                    } catch (Exception e) {
                        if (backoff.failures() == 0) {
                            outageStartedMs = System.currentTimeMillis();
                            LOG.warn("Cannot connect to the gateway; buffering in the outbox, retrying with backoff "
                                    + "(logged once per outage) [server: {}]: {}",
                                    config.mqtt().serverUri(), e.toString());
                        }
                        sleep(backoff.nextDelayMs());
                        continue;
                    }
                    if (backoff.failures() > 0) {
                        LOG.info("Gateway reachable again [server: {}, outage: {} s, backlog: {} batches]",
                                config.mqtt().serverUri(), (System.currentTimeMillis() - outageStartedMs) / 1000,
                                outbox.pendingCount());
                    } else {
                        LOG.info("Connected [server: {}, receive maximum: {}]", config.mqtt().serverUri(),
                                receiveMaximum);
                    }
                    backoff.reset();
                    sendConnected(Math.min(config.mqtt().maxInflight(), receiveMaximum));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Publishing failed unexpectedly; reconnecting", e);
                connectionBroken = true;
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
            if (statusDirty) {
                statusDirty = false;
                publishStatus();
            }
            long seen = outbox.changes();
            long now = System.nanoTime();
            tokens = Math.min(Math.max(1, rate), tokens + (now - lastRefill) / 1e9 * rate);
            lastRefill = now;
            PendingBatch next = null;
            if (inflight.size() < window) {
                next = outbox.nextPendingAfter(liveCursor, Long.MAX_VALUE);
                if (next != null) {
                    liveCursor = next.seq();
                } else if (tokens >= 1) {
                    next = outbox.nextPendingAfter(backlogCursor, backlogEnd);
                    if (next != null) {
                        backlogCursor = next.seq();
                        tokens -= 1;
                    }
                }
            }
            if (next == null) {
                outbox.awaitChange(seen, tokens >= 1 ? 200 : Math.max(1, (long) ((1 - tokens) / rate * 1000)),
                        TimeUnit.MILLISECONDS);
                continue;
            }
            send(next.seq());
        }
    }

    private void send(long seq) {
        byte[] payload = outbox.read(seq);
        if (payload == null) {
            return; // dropped meanwhile
        }
        inflight.add(seq);
        publisher.publish(config.telemetryTopic(), payload).whenComplete((reason, error) -> {
            inflight.remove(seq);
            if (error != null) {
                LOG.debug("Publish failed [seq: {}]", seq, error);
                connectionBroken = true;
            } else if (reason < 0x80) {
                outbox.acknowledge(seq);
                if (!firstAckLogged) {
                    firstAckLogged = true;
                    LOG.info("First batch acknowledged [seq: {}, ms since JVM start: {}]", seq,
                            ProcessHandle.current().info().startInstant()
                                    .map(t -> System.currentTimeMillis() - t.toEpochMilli()).orElse(-1L));
                }
            } else if (PERMANENT_REFUSALS.contains(reason)) {
                LOG.error("Gateway refused a batch for good; counted as dropped [seq: {}, reason: 0x{}]", seq,
                        Integer.toHexString(reason));
                outbox.discard(seq, "refused by the gateway (0x" + Integer.toHexString(reason) + ")");
                statusDirty = true;
            } else {
                LOG.warn("Gateway refused a batch for now; reconnecting [seq: {}, reason: 0x{}]", seq,
                        Integer.toHexString(reason));
                connectionBroken = true;
            }
        });
    }

    private void publishStatus() {
        publisher.publish(config.statusTopic(), status("online")).whenComplete((reason, error) -> {
            if (error != null || reason >= 0x80) {
                statusDirty = true; // try again with the next loop round or connection
            }
        });
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
