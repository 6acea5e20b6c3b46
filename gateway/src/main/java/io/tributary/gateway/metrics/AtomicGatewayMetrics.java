package io.tributary.gateway.metrics;

import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.RejectReason;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** {@link GatewayMetrics} in plain thread-safe counters; the base a Prometheus export can read from later. */
public final class AtomicGatewayMetrics implements GatewayMetrics {

    private final LongAdder connectionsAccepted = new LongAdder();
    private final LongAdder connectionsRefused = new LongAdder();
    private final LongAdder connectionsOpen = new LongAdder();
    private final LongAdder telemetryBatches = new LongAdder();
    private final LongAdder readings = new LongAdder();
    private final LongAdder statusMessages = new LongAdder();
    private final Map<RejectReason, LongAdder> rejections = new EnumMap<>(RejectReason.class);
    private final LongAdder kafkaSendFailures = new LongAdder();
    private final LongAdder deadLetterFailures = new LongAdder();
    private final LongAdder kafkaInFlight = new LongAdder();

    public AtomicGatewayMetrics() {
        for (RejectReason reason : RejectReason.values()) {
            rejections.put(reason, new LongAdder()); // filled once, read-only afterwards: safe to share
        }
    }

    @Override
    public void connectionAccepted() {
        connectionsAccepted.increment();
        connectionsOpen.increment();
    }

    @Override
    public void connectionRefused() {
        connectionsRefused.increment();
    }

    @Override
    public void connectionClosed() {
        connectionsOpen.decrement();
    }

    @Override
    public void telemetryAccepted(int readingCount) {
        telemetryBatches.increment();
        readings.add(readingCount);
    }

    @Override
    public void statusAccepted() {
        statusMessages.increment();
    }

    @Override
    public void rejected(RejectReason reason) {
        rejections.get(reason).increment();
    }

    @Override
    public void kafkaSendFailed() {
        kafkaSendFailures.increment();
    }

    @Override
    public void deadLetterFailed() {
        deadLetterFailures.increment();
    }

    @Override
    public void kafkaSendStarted() {
        kafkaInFlight.increment();
    }

    @Override
    public void kafkaSendFinished() {
        kafkaInFlight.decrement();
    }

    @Override
    public Snapshot snapshot() {
        Map<String, Long> byReason = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<RejectReason, LongAdder> e : rejections.entrySet()) {
            long n = e.getValue().sum();
            if (n > 0) {
                byReason.put(e.getKey().code(), n);
                total += n;
            }
        }
        return new Snapshot(connectionsAccepted.sum(), connectionsRefused.sum(), connectionsOpen.sum(),
                telemetryBatches.sum(), readings.sum(), statusMessages.sum(), total, byReason,
                kafkaSendFailures.sum(), deadLetterFailures.sum(), kafkaInFlight.sum());
    }
}
