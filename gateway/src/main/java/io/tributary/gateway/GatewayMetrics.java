package io.tributary.gateway;

import io.tributary.contract.ContractRule;
import java.util.Map;

/**
 * The gateway's counters; every method but {@link #snapshot()} does nothing by default. What each event counts is the
 * description of its meter in {@code metrics.MicrometerGatewayMetrics} and {@code metrics.ConnectionMeters}.
 * Implementations must be thread-safe: every event loop and the Kafka I/O thread record into one instance.
 */
public interface GatewayMetrics {

    GatewayMetrics NOOP = () -> new Snapshot(0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0);

    default void connectionAccepted() {
    }

    default void connectionRefused() {
    }

    default void connectionClosed() {
    }

    default void telemetryAccepted(int readings) {
    }

    default void statusAccepted() {
    }

    default void rejected(RejectReason reason) {
    }

    default void kafkaSendFailed() {
    }

    default void deadLetterFailed() {
    }

    default void kafkaSendStarted() {
    }

    default void kafkaSendFinished() {
    }

    default void configSent() {
    }

    default void deviceDroppedReadings(long readings) {
    }

    default void connectionRevoked() {
    }

    /** A Kafka send finished after {@code nanos} (until its outcome was back on the event loop). */
    default void kafkaSendLatency(long nanos, boolean succeeded) {
    }

    /** The bytes waiting for Kafka's acknowledgement changed by {@code delta} (positive: sent; negative: done). */
    default void kafkaInFlightBytes(long delta) {
    }

    default void publishReceived() {
    }

    default void readingPaused() {
    }

    /** A paused connection reads again (Kafka caught up, or the connection ended while paused). */
    default void readingResumed() {
    }

    /** A CONNECT was refused at once by the failed-login throttle; {@code scope} is "address" or "device". */
    default void loginThrottled(String scope) {
    }

    default void loginBusy() {
    }

    default void loginFailed() {
    }

    /** A key derivation ran for {@code nanos} on a derivation thread (for a known device or a dummy one alike). */
    default void keyDerivation(long nanos) {
    }

    /** The number of secret checks waiting or running changed by {@code delta}. */
    default void keyDerivationsPending(int delta) {
    }

    default void registryRecordRefused(String reason) {
    }

    /** Whether the registry consumer is alive and polling (set by the gateway's health check). */
    default void registryConsumerUp(boolean up) {
    }

    default void contractViolated(ContractRule rule) {
    }

    default void sessionTakenOver() {
    }

    /** A TCP connection (after TLS) opened and waits for its CONNECT; {@link #pendingConnectEnded()} follows. */
    default void pendingConnectStarted() {
    }

    default void pendingConnectEnded() {
    }

    default void pendingConnectRefused() {
    }

    default void pendingConnectRefusedPerAddress() {
    }

    default void connectTimedOut() {
    }

    /** A QoS 0 publish over its device's quota was dropped (also counted as a device-quota-exceeded rejection). */
    default void quotaDroppedQos0() {
    }

    default void unreadAnswersClosed() {
    }

    default void deadLetterAcknowledged() {
    }

    default void connectionError() {
    }

    Snapshot snapshot();

    /** @param rejectionsByReason by {@link RejectReason#code()}; reasons never seen are absent */
    record Snapshot(long connectionsAccepted, long connectionsRefused, long connectionsOpen,
            long telemetryBatchesAccepted, long readingsAccepted, long statusMessagesAccepted, long rejectionsTotal,
            Map<String, Long> rejectionsByReason, long kafkaSendFailures, long deadLetterFailures, long kafkaInFlight) {

        public Snapshot {
            rejectionsByReason = Map.copyOf(rejectionsByReason);
        }

        public long rejections(RejectReason reason) {
            return rejectionsByReason.getOrDefault(reason.code(), 0L);
        }
    }
}
