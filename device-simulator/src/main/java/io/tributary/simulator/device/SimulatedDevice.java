package io.tributary.simulator.device;

import io.tributary.mqtt.PubAck;
import io.tributary.mqtt.ReasonCodes.Kind;
import io.tributary.simulator.ledger.DeviceLedger;
import io.tributary.simulator.report.LatencyHistogram;
import io.tributary.simulator.transport.DeviceLink;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One virtual device: closes a batch on every tick, keeps it until the gateway acknowledged it, and publishes it again
 * after a lost connection, a transient refusal or a timeout — the same at-least-once discipline as the edge agent, in
 * memory. State is guarded by the device's monitor; connections call back from their own threads.
 *
 * <p>Answers, as the agent treats them: a permanent refusal (0x99, 0x87, ...) settles the batch as rejected — never sent
 * again, logged once per device with the gateway's reason; a transient one (0x80 Kafka down, 0x97 quota exceeded)
 * keeps the batch and pauses this device's publishing for an exponential backoff with jitter (100 ms doubling up to
 * 10 s), reset by the next accepted batch. Connect refusals (0x89 server busy, 0x9F connection rate exceeded, ...)
 * back off the same way; the reconnect backoff is reset only by an accepted batch, so a gateway that takes the CONNECT
 * and closes the connection at once is not hammered.
 */
public final class SimulatedDevice {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedDevice.class);
    private static final long MAX_BACKOFF_MS = 10_000;
    private static final Comparator<OutgoingBatch> PUBLISH_ORDER = Comparator.comparingLong(OutgoingBatch::seq)
            .thenComparing(OutgoingBatch::copy);

    private final String deviceId;
    private final String telemetryTopic;
    private final BatchFactory batches;
    private final DeviceLink connection;
    private final DeviceLedger ledger;
    private final ScheduledExecutorService scheduler;
    private final int maxInflight;
    private final long publishTimeoutNanos;
    private final LatencyHistogram pubackLatency;
    private final int replayDepth;

    private final Deque<OutgoingBatch> pending = new ArrayDeque<>();
    /** By publish id: a batch and its deliberate copy may be in flight together. */
    private final Map<Long, InFlight> inFlight = new LinkedHashMap<>();
    /** The latest acknowledged batches, oldest first, kept only for a replay anomaly. */
    private final Deque<OutgoingBatch> acknowledged = new ArrayDeque<>();
    private long nextPublishId;
    private State state = State.NEW;
    private int failedAttempts;
    private long connectFailures;
    /** Transient refusals in a row; the pause after the next one grows with it. */
    private int refusalStreak;
    private long pausedUntilNanos = System.nanoTime();
    private long refusedForNow;
    private boolean rejectionLogged;

    public SimulatedDevice(String deviceId, BatchFactory batches, DeviceLink connection, DeviceLedger ledger,
            ScheduledExecutorService scheduler, int maxInflight, long publishTimeoutNanos,
            LatencyHistogram pubackLatency) {
        this.deviceId = deviceId;
        this.telemetryTopic = "devices/" + deviceId + "/telemetry";
        this.batches = batches;
        this.connection = connection;
        this.ledger = ledger;
        this.scheduler = scheduler;
        this.maxInflight = maxInflight;
        this.publishTimeoutNanos = publishTimeoutNanos;
        this.pubackLatency = pubackLatency;
        this.replayDepth = batches.replayDepth();
        connection.onConnectionLost(this::connectionLost);
    }

    public String deviceId() {
        return deviceId;
    }

    public synchronized boolean isConnected() {
        return state == State.CONNECTED;
    }

    /** Batches created but not yet acknowledged or refused (a deliberate copy counts as one more). */
    public synchronized int unsettledBatches() {
        return pending.size() + inFlight.size();
    }

    public synchronized int inFlightBatches() {
        return inFlight.size();
    }

    /** Publishes the gateway refused for now (each sent again after a pause). */
    public synchronized long refusedForNow() {
        return refusedForNow;
    }

    /** Connection attempts that failed (refused, timed out, closed before CONNACK). */
    public synchronized long connectFailures() {
        return connectFailures;
    }

    public synchronized void start() {
        if (state == State.NEW) {
            connect();
        }
    }

    /** Closes a batch ending at {@code nowUnixNanos} and publishes what it can. */
    public synchronized void tick(long nowUnixNanos, long intervalNanos) {
        if (state == State.CLOSED) {
            return;
        }
        OutgoingBatch batch = batches.next(nowUnixNanos, intervalNanos);
        if (batch != null) {
            ledger.generated(batch.readings());
            ledger.clockSkew(TimeUnit.NANOSECONDS.toMillis(batch.clockSkewNanos()));
            if (batch.skipped() > 0) {
                ledger.skipped(batch.seq() - batch.skipped(), batch.seq() - 1);
            }
            pending.addLast(batch);
            if (batch.duplicated()) {
                pending.addLast(batch.asCopy());
                ledger.replayed(1);
            }
            replay(batch.replay());
        }
        expireTimedOut(System.nanoTime());
        pump();
    }

    /**
     * Queues copies of the latest {@code count} acknowledged batches, as an agent does whose acknowledgements were lost
     * in an outage: the gateway stores them again and the processor sees sequence numbers it has seen before.
     */
    private void replay(int count) {
        List<OutgoingBatch> latest = List.copyOf(acknowledged);
        latest.subList(Math.max(0, latest.size() - count), latest.size()).forEach(b -> pending.addLast(b.asCopy()));
        ledger.replayed(Math.min(count, latest.size()));
    }

    /** Drops the connection without a DISCONNECT, as a network failure does; the device reconnects by itself. */
    public void dropConnection() {
        synchronized (this) {
            if (state != State.CONNECTED) {
                return;
            }
        }
        connection.drop();
    }

    /** Stops for good: what is unsettled stays unsettled (and shows in the ledger as not acknowledged). */
    public void close() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
        }
        connection.close();
    }

    private void connect() {
        state = State.CONNECTING;
        connection.connect().whenComplete((ok, error) -> connected(error));
    }

    private synchronized void connected(Throwable error) {
        if (state != State.CONNECTING) {
            return;
        }
        if (error != null) {
            LOG.debug("Connect failed [device: {}]", deviceId, error);
            connectFailures++;
            scheduleReconnect();
            return;
        }
        state = State.CONNECTED;
        pump();
    }

    private synchronized void connectionLost() {
        if (state != State.CONNECTED) {
            return;
        }
        requeueInFlight();
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        state = State.WAITING_TO_RECONNECT;
        long delay = backoffMillis(++failedAttempts);
        scheduler.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS);
    }

    private synchronized void reconnect() {
        if (state == State.WAITING_TO_RECONNECT) {
            connect();
        }
    }

    private synchronized void resume() {
        pump();
    }

    private void pump() {
        if (System.nanoTime() - pausedUntilNanos < 0) {
            return; // refused for now: the scheduled resume() sends again
        }
        while (state == State.CONNECTED && inFlight.size() < maxInflight && !pending.isEmpty()) {
            OutgoingBatch batch = pending.pollFirst();
            long publishId = nextPublishId++;
            long sentAt = System.nanoTime();
            inFlight.put(publishId, new InFlight(batch, sentAt));
            ledger.published();
            connection.publish(telemetryTopic, batch.payload())
                    .whenComplete((outcome, error) -> settled(publishId, outcome, error));
        }
    }

    private synchronized void settled(long publishId, PubAck outcome, Throwable error) {
        InFlight entry = inFlight.remove(publishId);
        if (entry == null) {
            return; // already given up on (timeout or lost connection) and queued again
        }
        OutgoingBatch batch = entry.batch();
        if (error == null && outcome.kind() == Kind.ACCEPTED) {
            pubackLatency.recordNanos(System.nanoTime() - entry.sentAtNanos());
            if (batch.malformed()) {
                LOG.warn("Gateway accepted a malformed payload [device: {}, seq: {}, answer: {}]", deviceId,
                        batch.seq(), outcome);
            }
            failedAttempts = 0;
            refusalStreak = 0;
            ledger.acknowledged(batch.seq(), batch.readings());
            if (!batch.copy() && replayDepth > 0) {
                acknowledged.addLast(batch);
                if (acknowledged.size() > replayDepth) {
                    acknowledged.removeFirst();
                }
            }
        } else if (error == null && outcome.kind() == Kind.PERMANENT) {
            pubackLatency.recordNanos(System.nanoTime() - entry.sentAtNanos());
            if (!batch.malformed() && !rejectionLogged) {
                rejectionLogged = true; // once per device: a fleet of thousands must not flood the log
                LOG.warn("Gateway refused a batch for good; not sending it again (logged once per device) "
                        + "[device: {}, seq: {}, answer: {}]", deviceId, batch.seq(), outcome);
            } else {
                LOG.debug("Gateway refused a batch for good [device: {}, seq: {}, answer: {}]", deviceId,
                        batch.seq(), outcome);
            }
            ledger.rejected(batch.seq(), batch.readings());
        } else if (error == null) {
            // refused for now (0x80, 0x97, ...): neither stored nor rejected; sent again after a pause
            LOG.debug("Gateway refused a batch for now, will send again [device: {}, seq: {}, answer: {}]",
                    deviceId, batch.seq(), outcome);
            refusedForNow++;
            ledger.retried();
            pending.addFirst(batch);
            sortPending();
            pauseAfterRefusal();
            return;
        } else {
            LOG.debug("Publish failed, will send again [device: {}, seq: {}, answer: {}]", deviceId, batch.seq(),
                    error.toString());
            ledger.retried();
            pending.addFirst(batch);
            return; // the next tick publishes it again: a failing gateway is not hammered in a loop
        }
        pump();
    }

    /** Starts a backoff pause unless one runs: the other batches in flight when refusals began do not grow it. */
    private void pauseAfterRefusal() {
        long now = System.nanoTime();
        if (now - pausedUntilNanos < 0) {
            return;
        }
        long delayMs = backoffMillis(++refusalStreak);
        pausedUntilNanos = now + TimeUnit.MILLISECONDS.toNanos(delayMs);
        scheduler.schedule(this::resume, delayMs, TimeUnit.MILLISECONDS);
    }

    private void expireTimedOut(long nowNanos) {
        Iterator<InFlight> entries = inFlight.values().iterator();
        boolean expired = false;
        while (entries.hasNext()) {
            InFlight entry = entries.next();
            if (nowNanos - entry.sentAtNanos() > publishTimeoutNanos) {
                entries.remove();
                pending.addFirst(entry.batch());
                ledger.retried();
                expired = true;
            }
        }
        if (expired) {
            sortPending();
        }
    }

    private void requeueInFlight() {
        inFlight.values().forEach(entry -> {
            pending.addFirst(entry.batch());
            ledger.retried();
        });
        inFlight.clear();
        sortPending();
    }

    private void sortPending() {
        OutgoingBatch[] ordered = pending.toArray(OutgoingBatch[]::new);
        Arrays.sort(ordered, PUBLISH_ORDER);
        pending.clear();
        Collections.addAll(pending, ordered);
    }

    static long backoffMillis(int attempt) {
        long exponential = Math.min(MAX_BACKOFF_MS, 100L << Math.min(attempt - 1, 16));
        return exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
    }

    private record InFlight(OutgoingBatch batch, long sentAtNanos) {
    }

    private enum State { NEW, CONNECTING, CONNECTED, WAITING_TO_RECONNECT, CLOSED }
}
