package io.tributary.gateway.metrics;

import io.tributary.contract.ContractRule;
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
    private final LongAdder configsSent = new LongAdder();
    private final LongAdder connectionsRevoked = new LongAdder();
    private final LongAdder deviceDroppedReadings = new LongAdder();
    private final LongAdder kafkaInFlightBytes = new LongAdder();
    private final LongAdder publishesReceived = new LongAdder();
    private final LongAdder connectionsPaused = new LongAdder();
    private final LongAdder readPauses = new LongAdder();
    /** Upper bounds (seconds) of the Kafka send latency histogram buckets; the last bucket is +Inf. */
    static final double[] LATENCY_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5, 10, 30};
    private final LongAdder[] latencyBuckets = new LongAdder[LATENCY_BUCKETS.length + 1];
    private final LongAdder latencyNanosSum = new LongAdder();
    // issue 17: the input contract
    private final Map<ContractRule, LongAdder> contractViolations = new EnumMap<>(ContractRule.class);
    // ---- per-device fairness (issue 17) ----
    private final LongAdder sessionTakeovers = new LongAdder();
    private final LongAdder pendingConnects = new LongAdder();
    private final LongAdder pendingConnectsRefused = new LongAdder();
    private final LongAdder pendingConnectsRefusedPerAddress = new LongAdder();
    private final LongAdder connectTimeouts = new LongAdder();
    private final LongAdder quotaDroppedQos0 = new LongAdder();
    private final LongAdder unreadAnswersClosed = new LongAdder();
    private final LongAdder deadLettersAcknowledged = new LongAdder();
    private final LongAdder connectionErrors = new LongAdder();

    public AtomicGatewayMetrics() {
        for (RejectReason reason : RejectReason.values()) {
            rejections.put(reason, new LongAdder()); // filled once, read-only afterwards: safe to share
        }
        for (int i = 0; i < latencyBuckets.length; i++) {
            latencyBuckets[i] = new LongAdder();
        }
        for (ContractRule rule : ContractRule.values()) {
            contractViolations.put(rule, new LongAdder()); // filled once, read-only afterwards: safe to share
        }
    }

    @Override
    public void contractViolated(ContractRule rule) {
        contractViolations.get(rule).increment();
    }

    /** Telemetry batches refused for breaking {@code rule} of the input contract. */
    public long contractViolations(ContractRule rule) {
        return contractViolations.get(rule).sum();
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
    public void configSent() {
        configsSent.increment();
    }

    @Override
    public void connectionRevoked() {
        connectionsRevoked.increment();
    }

    @Override
    public void deviceDroppedReadings(long readingsDropped) {
        deviceDroppedReadings.add(readingsDropped);
    }

    @Override
    public void kafkaSendLatency(long nanos, boolean succeeded) {
        double seconds = nanos / 1e9;
        int bucket = 0;
        while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]) {
            bucket++;
        }
        latencyBuckets[bucket].increment();
        latencyNanosSum.add(nanos);
    }

    @Override
    public void kafkaInFlightBytes(long delta) {
        kafkaInFlightBytes.add(delta);
    }

    @Override
    public void publishReceived() {
        publishesReceived.increment();
    }

    @Override
    public void readingPaused() {
        connectionsPaused.increment();
        readPauses.increment();
    }

    @Override
    public void readingResumed() {
        connectionsPaused.decrement();
    }

    // ---- Authentication that cannot be turned into a DoS (issue 17, deliverable 4) ----

    /** Scopes of {@link #loginThrottled(String)}, in exposition order. */
    static final java.util.List<String> THROTTLE_SCOPES = java.util.List.of("address", "device");
    private final Map<String, LongAdder> loginsThrottled = new java.util.concurrent.ConcurrentHashMap<>();
    private final LongAdder loginsBusy = new LongAdder();
    private final LongAdder loginsFailed = new LongAdder();
    private final LongAdder keyDerivations = new LongAdder();
    private final LongAdder keyDerivationNanos = new LongAdder();
    private final LongAdder keyDerivationsPending = new LongAdder();
    private final Map<String, LongAdder> registryRecordsRefused = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean registryConsumerUp = true;

    @Override
    public void loginThrottled(String scope) {
        loginsThrottled.computeIfAbsent(scope, s -> new LongAdder()).increment();
    }

    @Override
    public void loginBusy() {
        loginsBusy.increment();
    }

    @Override
    public void loginFailed() {
        loginsFailed.increment();
    }

    @Override
    public void keyDerivation(long nanos) {
        keyDerivations.increment();
        keyDerivationNanos.add(nanos);
    }

    @Override
    public void keyDerivationsPending(int delta) {
        keyDerivationsPending.add(delta);
    }

    @Override
    public void registryRecordRefused(String reason) {
        registryRecordsRefused.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    @Override
    public void registryConsumerUp(boolean up) {
        registryConsumerUp = up;
    }

    /** CONNECTs refused by the failed-login throttle of {@code scope} ("address" or "device"). */
    public long loginsThrottled(String scope) {
        LongAdder n = loginsThrottled.get(scope);
        return n == null ? 0 : n.sum();
    }

    /** CONNECTs answered "server busy" because the secret checks were backed up. */
    public long loginsBusy() {
        return loginsBusy.sum();
    }

    /** Secret checks that failed. */
    public long loginsFailed() {
        return loginsFailed.sum();
    }

    /** Key derivations run. */
    public long keyDerivations() {
        return keyDerivations.sum();
    }

    /** Time spent in key derivations, in nanoseconds. */
    public long keyDerivationNanos() {
        return keyDerivationNanos.sum();
    }

    /** Secret checks waiting or running now. */
    public long keyDerivationsPending() {
        return keyDerivationsPending.sum();
    }

    /** Registry records refused, by reason code. */
    public Map<String, Long> registryRecordsRefused() {
        Map<String, Long> result = new java.util.TreeMap<>();
        registryRecordsRefused.forEach((reason, n) -> result.put(reason, n.sum()));
        return result;
    }

    /** Whether the registry consumer was alive and polling at the last health check. */
    public boolean registryConsumerUp() {
        return registryConsumerUp;
    }

    // ---- end of the authentication block ----

    /** Bytes handed to Kafka and waiting for its acknowledgement. */
    public long kafkaInFlightBytes() {
        return kafkaInFlightBytes.sum();
    }

    /** PUBLISH packets received from devices, whatever became of them. */
    public long publishesReceived() {
        return publishesReceived.sum();
    }

    /** Connections not reading their socket now (backpressure). */
    public long connectionsPaused() {
        return connectionsPaused.sum();
    }

    /** Times a connection stopped reading its socket (backpressure). */
    public long readPauses() {
        return readPauses.sum();
    }

    /** Configurations published to devices. */
    public long configsSent() {
        return configsSent.sum();
    }

    /** Readings devices reported dropping before they could send them. */
    public long deviceDroppedReadings() {
        return deviceDroppedReadings.sum();
    }

    /** Connections closed because their device was disabled or removed. */
    public long connectionsRevoked() {
        return connectionsRevoked.sum();
    }

    /** Kafka send latency: count per bucket of {@link #LATENCY_BUCKETS} (not cumulative), +Inf last. */
    long[] latencyBucketCounts() {
        long[] counts = new long[latencyBuckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = latencyBuckets[i].sum();
        }
        return counts;
    }

    /** Sum of all Kafka send latencies, in nanoseconds. */
    long latencyNanosSum() {
        return latencyNanosSum.sum();
    }

    // ---- per-device fairness (issue 17) ----

    @Override
    public void sessionTakenOver() {
        sessionTakeovers.increment();
    }

    @Override
    public void pendingConnectStarted() {
        pendingConnects.increment();
    }

    @Override
    public void pendingConnectEnded() {
        pendingConnects.decrement();
    }

    @Override
    public void pendingConnectRefused() {
        pendingConnectsRefused.increment();
    }

    @Override
    public void pendingConnectRefusedPerAddress() {
        pendingConnectsRefusedPerAddress.increment();
    }

    @Override
    public void connectTimedOut() {
        connectTimeouts.increment();
    }

    @Override
    public void quotaDroppedQos0() {
        quotaDroppedQos0.increment();
    }

    @Override
    public void unreadAnswersClosed() {
        unreadAnswersClosed.increment();
    }

    @Override
    public void deadLetterAcknowledged() {
        deadLettersAcknowledged.increment();
    }

    @Override
    public void connectionError() {
        connectionErrors.increment();
    }

    /** CONNECTs that took over the session of a connected device id. */
    public long sessionTakeovers() {
        return sessionTakeovers.sum();
    }

    /** TCP connections waiting for their CONNECT now. */
    public long pendingConnects() {
        return pendingConnects.sum();
    }

    /** TCP connections closed at once because too many had not sent CONNECT. */
    public long pendingConnectsRefused() {
        return pendingConnectsRefused.sum();
    }

    /** TCP connections closed at once because their address held its share of the pending-CONNECT slots. */
    public long pendingConnectsRefusedPerAddress() {
        return pendingConnectsRefusedPerAddress.sum();
    }

    /** Connections closed because no CONNECT came within the connect timeout. */
    public long connectTimeouts() {
        return connectTimeouts.sum();
    }

    /** QoS 0 publishes dropped over their device's quota. */
    public long quotaDroppedQos0Total() {
        return quotaDroppedQos0.sum();
    }

    /** Connections closed because they did not read their answers. */
    public long unreadAnswersClosedTotal() {
        return unreadAnswersClosed.sum();
    }

    /** MQTT 3.1.1 publishes refused for good, dead-lettered and acknowledged. */
    public long deadLettersAcknowledged() {
        return deadLettersAcknowledged.sum();
    }

    /** Errors raised inside the MQTT server's own code. */
    public long connectionErrors() {
        return connectionErrors.sum();
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
