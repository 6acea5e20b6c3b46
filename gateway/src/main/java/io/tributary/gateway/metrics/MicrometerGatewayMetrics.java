package io.tributary.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.contract.ContractRule;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.RejectReason;
import io.tributary.contract.registry.CredentialRules;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * {@link GatewayMetrics} on a Micrometer {@link PrometheusMeterRegistry}: the names, labels and types on
 * {@code /metrics} are those the pipeline-health dashboard queries ({@code deploy/grafana}).
 *
 * <p>The hot path touches only meters looked up once, here: every labelled counter sits in an {@link EnumMap} by its
 * label, so recording is one adder increment and no tag lookup. Gauges read {@link LongAdder}s at scrape time.
 */
public final class MicrometerGatewayMetrics implements GatewayMetrics {

    private static final String P = "tributary.gateway.";
    /** Upper bounds of the Kafka send latency histogram buckets (the last bucket is +Inf). */
    private static final double[] LATENCY_BUCKETS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25, 0.5, 1, 2.5, 5, 10, 30};
    /** Scopes of {@link #loginThrottled(String)}. */
    private static final List<String> THROTTLE_SCOPES = List.of("address", "device");

    private static final Pattern WHOLE_NUMBER = Pattern.compile("(?m)^([^#\\n][^\\n]* -?[0-9]+)\\.0$");

    private final PrometheusMeterRegistry registry;

    private final Counter connectionsAccepted;
    private final Counter connectionsRefused;
    private final LongAdder connectionsOpen = new LongAdder();
    private final Counter telemetryBatches;
    private final Counter statusMessages;
    private final Counter readings;
    private final Map<RejectReason, Counter> rejections = new EnumMap<>(RejectReason.class);
    private final Counter kafkaSendFailures;
    private final Counter deadLetterFailures;
    private final LongAdder kafkaInFlight = new LongAdder();
    private final Counter configsSent;
    private final Counter publishesReceived;
    private final LongAdder kafkaInFlightBytes = new LongAdder();
    private final LongAdder connectionsPaused = new LongAdder();
    private final Counter readPauses;
    private final Counter connectionsRevoked;
    private final Counter deviceDroppedReadings;
    private final Counter sessionTakeovers;
    private final LongAdder pendingConnects = new LongAdder();
    private final Counter pendingConnectsRefused;
    private final Counter pendingConnectsRefusedPerAddress;
    private final Counter connectTimeouts;
    private final Counter quotaDroppedQos0;
    private final Counter unreadAnswersClosed;
    private final Counter deadLettersAcknowledged;
    private final Counter connectionErrors;
    private final Map<String, Counter> loginsThrottled = new ConcurrentHashMap<>();
    private final Counter loginsBusy;
    private final Counter loginsFailed;
    private final Counter keyDerivations;
    private final LongAdder keyDerivationNanos = new LongAdder();
    private final LongAdder keyDerivationsPending = new LongAdder();
    private final Map<String, Counter> registryRecordsRefused = new ConcurrentHashMap<>();
    private volatile boolean registryConsumerUp = true;
    private final Timer kafkaSend;
    private final Map<ContractRule, Counter> contractViolations = new EnumMap<>(ContractRule.class);

    /** Counters on a registry of their own. */
    public MicrometerGatewayMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Counters registered on {@code registry}. */
    public MicrometerGatewayMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        gauge("connections.open", "Device connections open now", connectionsOpen);
        connectionsAccepted = counter("connections.accepted", "CONNECTs accepted");
        connectionsRefused = counter("connections.refused", "CONNECTs refused (credentials, disabled, limit, shutdown)");
        String kinds = "Device messages Kafka acknowledged, by kind";
        telemetryBatches = Counter.builder(P + "messages.in").description(kinds).tag("kind", "telemetry")
                .register(registry);
        statusMessages = Counter.builder(P + "messages.in").description(kinds).tag("kind", "status")
                .register(registry);
        readings = counter("readings.in", "Readings in the telemetry batches Kafka acknowledged");
        for (RejectReason reason : RejectReason.values()) {
            rejections.put(reason, Counter.builder(P + "rejections").description("Packets refused, by reason")
                    .tag("reason", reason.code()).register(registry));
        }
        kafkaSendFailures = counter("kafka.send.failures", "Telemetry/status records Kafka did not take");
        deadLetterFailures = counter("deadletter.failures", "Dead-letter records Kafka did not take");
        gauge("kafka.inflight", "Records handed to Kafka and waiting for the outcome", kafkaInFlight);
        configsSent = Counter.builder(P + "messages.out").description("Messages sent to devices, by kind")
                .tag("kind", "config").register(registry);
        publishesReceived = counter("publishes.received", "PUBLISH packets read from devices, before any check");
        gauge("kafka.inflight.bytes", "Bytes handed to Kafka and waiting for its acknowledgement (what occupies the"
                + " producer's buffer)", kafkaInFlightBytes);
        gauge("connections.paused", "Connections not reading their socket because Kafka is not keeping up",
                connectionsPaused);
        readPauses = counter("read.pauses", "Times a connection stopped reading its socket because Kafka was not"
                + " keeping up");
        connectionsRevoked = counter("connections.revoked", "Connections closed because the device was disabled");
        deviceDroppedReadings = counter("device.dropped.readings", "Readings devices reported dropping (a full"
                + " outbox), from accepted batches");
        sessionTakeovers = counter("session.takeovers", "CONNECTs with the id of a connected device that took its"
                + " session over (the older connection was ended): clones show here");
        gauge("pending.connects", "TCP connections that have not sent CONNECT yet", pendingConnects);
        pendingConnectsRefused = counter("pending.connects.refused", "TCP connections closed at once because too many"
                + " had not sent CONNECT");
        pendingConnectsRefusedPerAddress = counter("pending.connects.refused.per.address", "TCP connections closed at"
                + " once because their address (IPv6: /64) held its share of the pending-CONNECT slots");
        connectTimeouts = counter("connect.timeouts", "Connections closed because no CONNECT came in time");
        quotaDroppedQos0 = counter("quota.dropped.qos0", "QoS 0 publishes dropped over the device's publish quota");
        unreadAnswersClosed = counter("unread.answers.closed", "Connections closed because they left too many answers"
                + " unread (not reading their socket)");
        deadLettersAcknowledged = counter("deadletter.acknowledged", "MQTT 3.1.1 publishes refused for good, stored on"
                + " the dead-letter topic and acknowledged");
        connectionErrors = counter("connection.errors", "Errors raised inside the MQTT server's own code (frames it"
                + " could not handle)");
        for (String scope : THROTTLE_SCOPES) {
            throttleCounter(scope);
        }
        loginsBusy = counter("login.busy", "CONNECTs answered server busy (MQTT 5: 0x89) because the secret checks"
                + " were backed up");
        loginsFailed = counter("login.failures", "Secret checks that failed (wrong secret, unknown device, refused"
                + " record)");
        keyDerivations = counter("key.derivations", "PBKDF2 key derivations run (known and dummy credentials alike)");
        FunctionCounter.builder(P + "key.derivation.seconds", keyDerivationNanos, n -> n.sum() / 1e9)
                .description("Time spent in key derivations").register(registry);
        gauge("key.derivations.pending", "Secret checks waiting or running now", keyDerivationsPending);
        for (CredentialRules.Problem problem : CredentialRules.Problem.values()) {
            refusedCounter(problem.code());
        }
        Gauge.builder(P + "registry.consumer.up", this, m -> m.registryConsumerUp ? 1 : 0)
                .description("1 while the registry consumer is alive and polling").register(registry);
        Duration[] buckets = new Duration[LATENCY_BUCKETS_SECONDS.length];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = Duration.ofNanos(Math.round(LATENCY_BUCKETS_SECONDS[i] * 1e9));
        }
        kafkaSend = Timer.builder(P + "kafka.send").description("Time from handing a record to Kafka until its"
                + " acknowledgement is back on the event loop").serviceLevelObjectives(buckets).register(registry);
        for (ContractRule rule : ContractRule.values()) {
            contractViolations.put(rule, Counter.builder(P + "contract.violations").description("Telemetry batches"
                    + " refused for breaking the input contract, by rule (also counted in"
                    + " rejections_total{reason=\"contract-violation\"})").tag("rule", rule.label()).register(registry));
        }
    }

    private Counter counter(String name, String help) {
        return Counter.builder(P + name).description(help).register(registry);
    }

    private void gauge(String name, String help, LongAdder value) {
        Gauge.builder(P + name, value, LongAdder::sum).description(help).register(registry);
    }

    private Counter throttleCounter(String scope) {
        return loginsThrottled.computeIfAbsent(scope, s -> Counter.builder(P + "login.throttled")
                .description("CONNECTs refused at once (MQTT 5: 0x9F) after too many failed logins, by scope (address"
                        + " or device id)").tag("scope", s).register(registry));
    }

    private Counter refusedCounter(String reason) {
        return registryRecordsRefused.computeIfAbsent(reason, r -> Counter.builder(P + "registry.records.refused")
                .description("Device records refused as they came from the registry topic (the device cannot log"
                        + " in), by reason").tag("reason", r).register(registry));
    }

    /** The registry these counters live in: bind more meters to it (Kafka clients, JVM), scrape it. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter in the registry; see {@link #scrape(PrometheusMeterRegistry)}. */
    public String scrape() {
        return scrape(registry);
    }

    /**
     * The Prometheus text exposition of {@code registry}, whole-number samples written without {@code .0} ({@code 3},
     * not {@code 3.0}) as the gateway always wrote them: scripts and tests match {@code ..._total 1}; Prometheus
     * reads both.
     */
    public static String scrape(PrometheusMeterRegistry registry) {
        return WHOLE_NUMBER.matcher(registry.scrape()).replaceAll("$1");
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
        readings.increment(readingCount);
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
        deviceDroppedReadings.increment(readingsDropped);
    }

    @Override
    public void kafkaSendLatency(long nanos, boolean succeeded) {
        kafkaSend.record(nanos, TimeUnit.NANOSECONDS);
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

    @Override
    public void loginThrottled(String scope) {
        throttleCounter(scope).increment();
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
        refusedCounter(reason).increment();
    }

    @Override
    public void registryConsumerUp(boolean up) {
        registryConsumerUp = up;
    }

    @Override
    public void contractViolated(ContractRule rule) {
        contractViolations.get(rule).increment();
    }

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

    // ---- read back (tests, the snapshot) ----

    private static long count(Counter counter) {
        return (long) counter.count();
    }

    /** Telemetry batches refused for breaking {@code rule} of the input contract. */
    public long contractViolations(ContractRule rule) {
        return count(contractViolations.get(rule));
    }

    /** CONNECTs refused by the failed-login throttle of {@code scope} ("address" or "device"). */
    public long loginsThrottled(String scope) {
        Counter counter = loginsThrottled.get(scope);
        return counter == null ? 0 : count(counter);
    }

    /** CONNECTs answered "server busy" because the secret checks were backed up. */
    public long loginsBusy() {
        return count(loginsBusy);
    }

    /** Secret checks that failed. */
    public long loginsFailed() {
        return count(loginsFailed);
    }

    /** Key derivations run. */
    public long keyDerivations() {
        return count(keyDerivations);
    }

    /** Time spent in key derivations, in nanoseconds. */
    public long keyDerivationNanos() {
        return keyDerivationNanos.sum();
    }

    /** Secret checks waiting or running now. */
    public long keyDerivationsPending() {
        return keyDerivationsPending.sum();
    }

    /** Registry records refused, by reason code (reasons never seen count 0). */
    public Map<String, Long> registryRecordsRefused() {
        Map<String, Long> result = new java.util.TreeMap<>();
        registryRecordsRefused.forEach((reason, n) -> result.put(reason, count(n)));
        return result;
    }

    /** Whether the registry consumer was alive and polling at the last health check. */
    public boolean registryConsumerUp() {
        return registryConsumerUp;
    }

    /** Bytes handed to Kafka and waiting for its acknowledgement. */
    public long kafkaInFlightBytes() {
        return kafkaInFlightBytes.sum();
    }

    /** PUBLISH packets received from devices, whatever became of them. */
    public long publishesReceived() {
        return count(publishesReceived);
    }

    /** Connections not reading their socket now (backpressure). */
    public long connectionsPaused() {
        return connectionsPaused.sum();
    }

    /** Times a connection stopped reading its socket (backpressure). */
    public long readPauses() {
        return count(readPauses);
    }

    /** Configurations published to devices. */
    public long configsSent() {
        return count(configsSent);
    }

    /** Readings devices reported dropping before they could send them. */
    public long deviceDroppedReadings() {
        return count(deviceDroppedReadings);
    }

    /** Connections closed because their device was disabled or removed. */
    public long connectionsRevoked() {
        return count(connectionsRevoked);
    }

    /** CONNECTs that took over the session of a connected device id. */
    public long sessionTakeovers() {
        return count(sessionTakeovers);
    }

    /** TCP connections waiting for their CONNECT now. */
    public long pendingConnects() {
        return pendingConnects.sum();
    }

    /** TCP connections closed at once because too many had not sent CONNECT. */
    public long pendingConnectsRefused() {
        return count(pendingConnectsRefused);
    }

    /** TCP connections closed at once because their address held its share of the pending-CONNECT slots. */
    public long pendingConnectsRefusedPerAddress() {
        return count(pendingConnectsRefusedPerAddress);
    }

    /** Connections closed because no CONNECT came within the connect timeout. */
    public long connectTimeouts() {
        return count(connectTimeouts);
    }

    /** QoS 0 publishes dropped over their device's quota. */
    public long quotaDroppedQos0Total() {
        return count(quotaDroppedQos0);
    }

    /** Connections closed because they did not read their answers. */
    public long unreadAnswersClosedTotal() {
        return count(unreadAnswersClosed);
    }

    /** MQTT 3.1.1 publishes refused for good, dead-lettered and acknowledged. */
    public long deadLettersAcknowledged() {
        return count(deadLettersAcknowledged);
    }

    /** Errors raised inside the MQTT server's own code. */
    public long connectionErrors() {
        return count(connectionErrors);
    }

    @Override
    public Snapshot snapshot() {
        Map<String, Long> byReason = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<RejectReason, Counter> e : rejections.entrySet()) {
            long n = count(e.getValue());
            if (n > 0) {
                byReason.put(e.getKey().code(), n);
                total += n;
            }
        }
        return new Snapshot(count(connectionsAccepted), count(connectionsRefused), connectionsOpen.sum(),
                count(telemetryBatches), count(readings), count(statusMessages), total, byReason,
                count(kafkaSendFailures), count(deadLetterFailures), kafkaInFlight.sum());
    }
}
