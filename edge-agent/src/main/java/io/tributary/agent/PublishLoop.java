package io.tributary.agent;

import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.config.BrokerConnection;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.outbox.DiskOutbox.PendingBatch;
import io.tributary.mqtt.PubAck;
import io.tributary.agent.transport.Publisher;
import io.tributary.mqtt.ReasonCodes;
import io.tributary.common.Backoff;
import io.tributary.common.LogThrottle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher thread: connects with backoff and publishes from the outbox until each PUBACK. After a (re)connect,
 * batches created while connected ("live") go first; older ones ("backlog") replay oldest first at
 * {@code mqtt.replay-rate} batches per second. At most min({@code mqtt.max-inflight}, the gateway's Receive Maximum)
 * publishes are unacknowledged at once. A transient refusal pauses all publishing on the same connection; a permanent
 * one drops the batch and counts its readings.
 */
final class PublishLoop implements Runnable {

    /** The agent's log lines keep one logger name, whichever part of the agent writes them. */
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /**
     * A refusal of the same reason code is logged at most once a minute: what the gateway answers in a loop must not
     * fill the device's log (the journal, an SD card).
     */
    private static final Duration REFUSAL_LOG_INTERVAL = Duration.ofMinutes(1);

    private final BrokerConnection broker;
    private final String telemetryTopic;
    private final String statusTopic;
    private final DiskOutbox outbox;
    private final Publisher publisher;
    private final StatusMessage status;
    private final AtomicBoolean statusDirty;
    private final DoubleSupplier random;
    private final Set<Long> inflight = ConcurrentHashMap.newKeySet();
    /** Batches the gateway refused for now (0x80, 0x97, ...): sent again, oldest first, once the pause is over. */
    private final Set<Long> retry = new ConcurrentSkipListSet<>();
    /** Pauses sending after a transient refusal: exponential with full jitter, capped; reset by an accepted PUBACK. */
    private final Backoff refusalBackoff;
    private final LogThrottle refusalThrottle = new LogThrottle(REFUSAL_LOG_INTERVAL);
    private volatile long pausedUntilNanos = System.nanoTime();
    private volatile boolean connectionHeld;
    private volatile long refusedBatchesTotal;
    private volatile long retriedBatchesTotal;
    private volatile boolean running = true;
    private volatile boolean connectionBroken;
    private volatile boolean firstAckLogged;

    /** @param random numbers in [0, 1) for the backoffs' jitter */
    PublishLoop(AgentConfig config, DiskOutbox outbox, Publisher publisher, StatusMessage status,
            AtomicBoolean statusDirty, DoubleSupplier random) {
        this.broker = config.mqtt();
        this.telemetryTopic = config.telemetryTopic();
        this.statusTopic = config.statusTopic();
        this.outbox = outbox;
        this.publisher = publisher;
        this.status = status;
        this.statusDirty = statusDirty;
        this.random = random;
        this.refusalBackoff = newBackoff();
    }

    private Backoff newBackoff() {
        return new Backoff(broker.backoffInitial(), broker.backoffMax(), Backoff.Jitter.FULL, random);
    }

    /** Ends the loop after the current step; the caller interrupts the thread to cut a wait short. */
    void stop() {
        running = false;
    }

    @Override
    public void run() {
        Backoff backoff = newBackoff();
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
                    statusDirty.set(false); // the birth message carries the state as of now
                    receiveMaximum = publisher.connect(status.render("online"), status.render("offline"));
                } catch (Exception e) {
                    if (!outage) {
                        outage = true;
                        outageStartedMs = System.currentTimeMillis();
                        LOG.warn("Cannot connect to the gateway; buffering in the outbox, retrying with backoff "
                                + "(logged once per outage) [server: {}]: {}",
                                broker.serverUri(), e.getMessage() != null ? e.getMessage() : e.toString());
                    }
                    Thread.sleep(backoff.nextMillis());
                    continue;
                }
                if (outage) {
                    outage = false;
                    LOG.info("Gateway reachable again [server: {}, outage: {} s, backlog: {} batches]",
                            broker.serverUri(), (System.currentTimeMillis() - outageStartedMs) / 1000,
                            outbox.pendingCount());
                } else {
                    LOG.info("Connected [server: {}, receive maximum: {}]", broker.serverUri(), receiveMaximum);
                }
                long connectedAt = System.nanoTime();
                connectionHeld = false;
                sendConnected(Math.min(broker.maxInflight(), receiveMaximum));
                // The connection ended. A gateway that takes the CONNECT and then closes the connection (MQTT 3.1.1
                // after a failed send, a session takeover, an overloaded gateway) must not see a reconnect loop:
                // the reconnect backoff is reset only by a connection that held (a batch acknowledged, or it lasted
                // longer than the longest backoff).
                if (connectionHeld || System.nanoTime() - connectedAt >= broker.backoffMax().toNanos()) {
                    backoff.reset();
                } else if (running) {
                    long delay = backoff.nextMillis();
                    LOG.info("Connection ended before any batch was acknowledged; reconnecting in {} ms [server: {}]",
                            delay, broker.serverUri());
                    Thread.sleep(delay);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Publishing failed unexpectedly; reconnecting", e);
                try {
                    Thread.sleep(backoff.nextMillis());
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
        double rate = broker.replayRate();
        while (running && publisher.isConnected() && !connectionBroken) {
            long seen = outbox.changes();
            long now = System.nanoTime();
            long paused = pausedUntilNanos - now;
            if (paused > 0) {
                // refused for now (throttled, Kafka down): nothing goes out, not even a status, until the pause ends
                outbox.awaitChange(seen, Math.min(200, Math.max(1, paused / 1_000_000)), TimeUnit.MILLISECONDS);
                continue;
            }
            if (statusDirty.getAndSet(false)) {
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
        long packetBytes = publishPacketBytes(telemetryTopic, payload.length);
        if (packetBytes > publisher.maximumPacketSize()) {
            // The gateway would end the connection (0x95) instead of answering, and the batch would go out again
            // after every reconnect: it is refused for good, here.
            settled(seq, new PubAck(0x95, "batch of " + packetBytes + " bytes exceeds the gateway's maximum packet "
                    + "size " + publisher.maximumPacketSize()), null);
            return;
        }
        inflight.add(seq);
        publisher.publish(telemetryTopic, payload).whenComplete((ack, error) -> {
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
                warnRefusal(ack.reasonCode(), "Gateway refused a batch for good; dropped it and counted its "
                        + "readings as dropped [seq: {}, answer: {}]", seq, ack.describe());
                statusDirty.set(true);
            }
            case TRANSIENT -> {
                retriedBatchesTotal++;
                retry.add(seq);
                long delayMs = pause();
                if (delayMs > 0) {
                    warnRefusal(ack.reasonCode(), "Gateway refused a batch for now; keeping it and sending "
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
            long delayMs = refusalBackoff.nextMillis();
            pausedUntilNanos = now + TimeUnit.MILLISECONDS.toNanos(delayMs);
            return delayMs;
        }
    }

    private void publishStatus() {
        publisher.publish(statusTopic, status.render("online")).whenComplete((ack, error) -> {
            if (error != null) {
                statusDirty.set(true); // try again with the next connection
            } else if (ack.kind() == ReasonCodes.Kind.TRANSIENT) {
                statusDirty.set(true); // again after the pause
                pause();
            } else if (ack.kind() == ReasonCodes.Kind.PERMANENT) {
                // the next change of state sends a new one; this one is not sent again
                warnRefusal(ack.reasonCode(), "Gateway refused a status message [answer: {}]", ack.describe());
            }
        });
    }

    /** Logs a refusal at WARN unless one with this reason code was logged in the last interval. */
    private void warnRefusal(int reasonCode, String message, Object... args) {
        long heldBack = refusalThrottle.pass(reasonCode);
        if (heldBack > 0) {
            LOG.warn(message + " (" + heldBack + " more like it not logged in the last "
                    + refusalThrottle.intervalSeconds() + " s)", args);
        } else if (heldBack == 0) {
            LOG.warn(message, args);
        }
    }

    /** Batches the gateway refused for good since start (dropped, their readings counted). */
    long refusedBatchesTotal() {
        return refusedBatchesTotal;
    }

    /** Transient refusals since start (each batch sent again later). */
    long retriedBatchesTotal() {
        return retriedBatchesTotal;
    }
}
