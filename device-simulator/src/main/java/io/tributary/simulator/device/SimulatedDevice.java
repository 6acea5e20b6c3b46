package io.tributary.simulator.device;

import io.tributary.proto.v1.ReadingBatch;
import io.tributary.simulator.ledger.DeviceLedger;
import io.tributary.simulator.transport.DeviceConnection;
import io.tributary.simulator.transport.PublishOutcome;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One virtual device: closes a batch on every tick, keeps it until the gateway acknowledged it, and publishes it again
 * after a lost connection, a transient refusal or a timeout — the same at-least-once discipline as the edge agent, in
 * memory. State is guarded by the device's monitor; Paho calls back from its own threads.
 */
public final class SimulatedDevice {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedDevice.class);
    private static final long MAX_BACKOFF_MS = 10_000;

    private final String deviceId;
    private final String telemetryTopic;
    private final BatchFactory batches;
    private final DeviceConnection connection;
    private final DeviceLedger ledger;
    private final ScheduledExecutorService scheduler;
    private final int maxInflight;
    private final long publishTimeoutNanos;

    private final Deque<ReadingBatch> pending = new ArrayDeque<>();
    private final Map<Long, InFlight> inFlight = new TreeMap<>();
    private State state = State.NEW;
    private int failedAttempts;

    public SimulatedDevice(String deviceId, BatchFactory batches, DeviceConnection connection, DeviceLedger ledger,
            ScheduledExecutorService scheduler, int maxInflight, long publishTimeoutNanos) {
        this.deviceId = deviceId;
        this.telemetryTopic = "devices/" + deviceId + "/telemetry";
        this.batches = batches;
        this.connection = connection;
        this.ledger = ledger;
        this.scheduler = scheduler;
        this.maxInflight = maxInflight;
        this.publishTimeoutNanos = publishTimeoutNanos;
        connection.onConnectionLost(this::connectionLost);
    }

    public String deviceId() {
        return deviceId;
    }

    public synchronized boolean isConnected() {
        return state == State.CONNECTED;
    }

    /** Batches created but not yet acknowledged or refused. */
    public synchronized int unsettledBatches() {
        return pending.size() + inFlight.size();
    }

    public synchronized void start() {
        if (state != State.NEW) {
            return;
        }
        connect();
    }

    /** Closes a batch ending at {@code nowUnixNanos} and publishes what it can. */
    public synchronized void tick(long nowUnixNanos, long intervalNanos) {
        if (state == State.CLOSED) {
            return;
        }
        ReadingBatch batch = batches.next(nowUnixNanos, intervalNanos);
        ledger.generated(batch.getReadingsCount());
        pending.addLast(batch);
        expireTimedOut(System.nanoTime());
        pump();
    }

    /** Stops for good: what is unsettled stays unsettled (and shows in the ledger as pending). */
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
            scheduleReconnect();
            return;
        }
        state = State.CONNECTED;
        failedAttempts = 0;
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

    private void pump() {
        while (state == State.CONNECTED && inFlight.size() < maxInflight && !pending.isEmpty()) {
            ReadingBatch batch = pending.pollFirst();
            long seq = batch.getBatchSeq();
            inFlight.put(seq, new InFlight(batch, System.nanoTime()));
            connection.publish(telemetryTopic, batch.toByteArray())
                    .whenComplete((outcome, error) -> settled(seq, outcome, error));
        }
    }

    private synchronized void settled(long seq, PublishOutcome outcome, Throwable error) {
        InFlight entry = inFlight.remove(seq);
        if (entry == null) {
            return; // already given up on (timeout or lost connection) and queued again
        }
        int readings = entry.batch().getReadingsCount();
        if (error == null && outcome.accepted()) {
            ledger.acknowledged(seq, readings);
        } else if (error == null && outcome.permanentlyRejected()) {
            LOG.warn("Gateway refused a batch for good [device: {}, seq: {}, answer: {}]", deviceId, seq, outcome);
            ledger.rejected(readings);
        } else {
            LOG.debug("Publish failed, will send again [device: {}, seq: {}, answer: {}]", deviceId, seq,
                    error != null ? error.toString() : outcome);
            ledger.retried();
            pending.addFirst(entry.batch());
            return; // the next tick publishes it again: a failing gateway is not hammered in a loop
        }
        pump();
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
        ReadingBatch[] ordered = pending.toArray(ReadingBatch[]::new);
        java.util.Arrays.sort(ordered, Comparator.comparingLong(ReadingBatch::getBatchSeq));
        pending.clear();
        java.util.Collections.addAll(pending, ordered);
    }

    static long backoffMillis(int attempt) {
        long exponential = Math.min(MAX_BACKOFF_MS, 100L << Math.min(attempt - 1, 16));
        return exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
    }

    private record InFlight(ReadingBatch batch, long sentAtNanos) {
    }

    private enum State { NEW, CONNECTING, CONNECTED, WAITING_TO_RECONNECT, CLOSED }
}
