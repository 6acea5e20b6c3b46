package io.tributary.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.contract.registry.CredentialRules;
import io.tributary.gateway.GatewayMetrics;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The half of {@link MicrometerGatewayMetrics} about device connections: opening, pausing, limiting and ending them,
 * and the logins they make (throttle, secret checks, the registry records those rely on). The registry and the naming
 * helpers live here; the labelled login and registry counters are looked up in a map by their one label.
 */
abstract class ConnectionMeters implements GatewayMetrics {

    static final String P = "tributary.gateway.";
    private static final List<String> THROTTLE_SCOPES = List.of("address", "device");

    final PrometheusMeterRegistry registry;

    final Counter connectionsAccepted;
    final Counter connectionsRefused;
    final LongAdder connectionsOpen = new LongAdder();
    private final LongAdder connectionsPaused = new LongAdder();
    private final Counter readPauses;
    private final Counter connectionsRevoked;
    private final Counter sessionTakeovers;
    private final LongAdder pendingConnects = new LongAdder();
    private final Counter pendingConnectsRefused;
    private final Counter pendingConnectsRefusedPerAddress;
    private final Counter connectTimeouts;
    private final Counter unreadAnswersClosed;
    private final Counter connectionErrors;
    private final Map<String, Counter> loginsThrottled = new ConcurrentHashMap<>();
    private final Counter loginsBusy;
    private final Counter loginsFailed;
    private final Counter keyDerivations;
    private final LongAdder keyDerivationNanos = new LongAdder();
    private final LongAdder keyDerivationsPending = new LongAdder();
    private final Map<String, Counter> registryRecordsRefused = new ConcurrentHashMap<>();
    private volatile boolean registryConsumerUp = true;

    ConnectionMeters(PrometheusMeterRegistry registry) {
        this.registry = registry;
        gauge("connections.open", "Device connections open now", connectionsOpen);
        connectionsAccepted = counter("connections.accepted", "CONNECTs accepted");
        connectionsRefused = counter("connections.refused", "CONNECTs refused (credentials, disabled, limit, shutdown)");
        gauge("connections.paused", "Connections not reading their socket because Kafka is not keeping up",
                connectionsPaused);
        readPauses = counter("read.pauses", "Times a connection stopped reading its socket because Kafka was not"
                + " keeping up");
        connectionsRevoked = counter("connections.revoked", "Connections closed because the device was disabled");
        sessionTakeovers = counter("session.takeovers", "CONNECTs with the id of a connected device that took its"
                + " session over (the older connection was ended): clones show here");
        gauge("pending.connects", "TCP connections that have not sent CONNECT yet", pendingConnects);
        pendingConnectsRefused = counter("pending.connects.refused", "TCP connections closed at once because too many"
                + " had not sent CONNECT");
        pendingConnectsRefusedPerAddress = counter("pending.connects.refused.per.address", "TCP connections closed at"
                + " once because their address (IPv6: /64) held its share of the pending-CONNECT slots");
        connectTimeouts = counter("connect.timeouts", "Connections closed because no CONNECT came in time");
        unreadAnswersClosed = counter("unread.answers.closed", "Connections closed because they left too many answers"
                + " unread (not reading their socket)");
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
    }

    final Counter counter(String name, String help) {
        return Counter.builder(P + name).description(help).register(registry);
    }

    final void gauge(String name, String help, LongAdder value) {
        Gauge.builder(P + name, value, LongAdder::sum).description(help).register(registry);
    }

    static long count(Counter counter) {
        return (long) counter.count();
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
    public void connectionRevoked() {
        connectionsRevoked.increment();
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
    public void unreadAnswersClosed() {
        unreadAnswersClosed.increment();
    }

    @Override
    public void connectionError() {
        connectionErrors.increment();
    }

    // read back by tests and the snapshot
    public long loginsThrottled(String scope) {
        Counter counter = loginsThrottled.get(scope);
        return counter == null ? 0 : count(counter);
    }

    public long loginsBusy() {
        return count(loginsBusy);
    }

    public long loginsFailed() {
        return count(loginsFailed);
    }

    public long keyDerivations() {
        return count(keyDerivations);
    }

    public long keyDerivationsPending() {
        return keyDerivationsPending.sum();
    }

    public Map<String, Long> registryRecordsRefused() {
        Map<String, Long> result = new TreeMap<>();
        registryRecordsRefused.forEach((reason, n) -> result.put(reason, count(n)));
        return result;
    }

    public long connectionsPaused() {
        return connectionsPaused.sum();
    }

    public long readPauses() {
        return count(readPauses);
    }

    public long sessionTakeovers() {
        return count(sessionTakeovers);
    }

    public long pendingConnects() {
        return pendingConnects.sum();
    }

    public long pendingConnectsRefused() {
        return count(pendingConnectsRefused);
    }

    public long pendingConnectsRefusedPerAddress() {
        return count(pendingConnectsRefusedPerAddress);
    }

    public long connectTimeouts() {
        return count(connectTimeouts);
    }

    public long unreadAnswersClosedTotal() {
        return count(unreadAnswersClosed);
    }

    public long connectionErrors() {
        return count(connectionErrors);
    }
}
