package io.tributary.gateway;

import io.tributary.contract.ContractRule;
import java.util.Map;

/**
 * The gateway's counters; every method but {@link #snapshot()} does nothing by default. Implementations must be
 * thread-safe: every event loop and the Kafka I/O thread record into one instance.
 */
public interface GatewayMetrics {

    /** Records nothing; its snapshot is all zeros. */
    GatewayMetrics NOOP = () -> new Snapshot(0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0);

    default void connectionAccepted() {
    }

    /** A device's CONNECT was refused (bad identity, or the gateway is shutting down). */
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

    /** Kafka did not take a telemetry or status record (the device got no success acknowledgement). */
    default void kafkaSendFailed() {
    }

    default void deadLetterFailed() {
    }

    default void kafkaSendStarted() {
    }

    default void kafkaSendFinished() {
    }

    /** A configuration was published to a device on its {@code devices/{id}/config} topic. */
    default void configSent() {
    }

    /** Readings that a device reported it had to drop (a full outbox), counted when its batch was accepted. */
    default void deviceDroppedReadings(long readings) {
    }

    /** A connection was ended because its device was disabled or removed from the registry. */
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

    /** A connection stopped reading its socket because Kafka is not keeping up (backpressure). */
    default void readingPaused() {
    }

    /** A paused connection reads again (Kafka caught up, or the connection ended while paused). */
    default void readingResumed() {
    }

    /** A CONNECT was refused at once by the failed-login throttle; {@code scope} is "address" or "device". */
    default void loginThrottled(String scope) {
    }

    /** A CONNECT was answered "server busy": the queue of secret checks was full, or its check waited too long. */
    default void loginBusy() {
    }

    /** A secret check failed (wrong secret, unknown device, or a device whose record was refused). */
    default void loginFailed() {
    }

    /** A key derivation ran for {@code nanos} on a derivation thread (for a known device or a dummy one alike). */
    default void keyDerivation(long nanos) {
    }

    /** The number of secret checks waiting or running changed by {@code delta}. */
    default void keyDerivationsPending(int delta) {
    }

    /** A device record from the registry topic was refused; {@code reason} is its problem's code. */
    default void registryRecordRefused(String reason) {
    }

    /** Whether the registry consumer is alive and polling (set by the gateway's health check). */
    default void registryConsumerUp(boolean up) {
    }

    default void contractViolated(ContractRule rule) {
    }

    /** A CONNECT with the id of a connected device took its session over; the older connection was ended. */
    default void sessionTakenOver() {
    }

    /** A TCP connection (after TLS) opened and waits for its CONNECT; {@link #pendingConnectEnded()} follows. */
    default void pendingConnectStarted() {
    }

    /** A connection stopped waiting for CONNECT: CONNECT arrived, it closed, or it timed out. */
    default void pendingConnectEnded() {
    }

    /** A TCP connection was closed at once: too many connections had not sent CONNECT yet. */
    default void pendingConnectRefused() {
    }

    /** A TCP connection closed at once because its address holds its share of the pending-CONNECT slots. */
    default void pendingConnectRefusedPerAddress() {
    }

    /** A connection was closed because it sent no CONNECT within the connect timeout. */
    default void connectTimedOut() {
    }

    /** A QoS 0 publish over its device's quota was dropped (also counted as a device-quota-exceeded rejection). */
    default void quotaDroppedQos0() {
    }

    /** A connection was closed because it left more answers unread than allowed (it does not read its socket). */
    default void unreadAnswersClosed() {
    }

    /** An MQTT 3.1.1 publish refused for good and stored on the dead-letter topic was acknowledged with PUBACK. */
    default void deadLetterAcknowledged() {
    }

    /** An error raised inside the MQTT server's own code (e.g. a frame it could not handle), logged rate-limited. */
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
