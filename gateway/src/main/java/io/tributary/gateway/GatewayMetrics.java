package io.tributary.gateway;

import io.tributary.contract.ContractRule;
import java.util.Map;

/**
 * The gateway's counters; every method but {@link #snapshot()} does nothing by default. Implementations must be
 * thread-safe: every event loop and the Kafka I/O thread record into one instance.
 */
public interface GatewayMetrics {

    GatewayMetrics NOOP = () -> new Snapshot(0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0);

    default void count(Counted counted) {
        count(counted, 1);
    }

    default void count(Counted counted, long n) {
    }

    default void add(Level level, long delta) {
    }

    default void rejected(RejectReason reason) {
    }

    default void contractViolated(ContractRule rule) {
    }

    /** A key derivation ran for {@code nanos} on a derivation thread (for a known device or a dummy one alike). */
    default void keyDerivation(long nanos) {
    }

    default void registryRecordRefused(String reason) {
    }

    /** Whether the registry consumer is alive and polling (set by the gateway's health check). */
    default void registryConsumerUp(boolean up) {
    }

    /** A Kafka send finished after {@code nanos} (until its outcome was back on the event loop). */
    default void kafkaSendLatency(long nanos, boolean succeeded) {
    }

    Snapshot snapshot();

    /** What a counter counts: its meter name (after {@code tributary.gateway.}), its one label if any, its help. */
    enum Counted {
        CONNECTIONS_ACCEPTED("connections.accepted", "CONNECTs accepted"),
        CONNECTIONS_REFUSED("connections.refused", "CONNECTs refused (credentials, disabled, limit, shutdown)"),
        READ_PAUSES("read.pauses", "Times a connection stopped reading its socket because Kafka was not keeping up"),
        CONNECTIONS_REVOKED("connections.revoked", "Connections closed because the device was disabled"),
        SESSION_TAKEOVERS("session.takeovers", "CONNECTs with the id of a connected device that took its session over"
                + " (the older connection was ended): clones show here"),
        PENDING_CONNECTS_REFUSED("pending.connects.refused", "TCP connections closed at once because too many had not"
                + " sent CONNECT"),
        PENDING_CONNECTS_REFUSED_PER_ADDRESS("pending.connects.refused.per.address", "TCP connections closed at once"
                + " because their address (IPv6: /64) held its share of the pending-CONNECT slots"),
        CONNECT_TIMEOUTS("connect.timeouts", "Connections closed because no CONNECT came in time"),
        UNREAD_ANSWERS_CLOSED("unread.answers.closed", "Connections closed because they left too many answers unread"
                + " (not reading their socket)"),
        CONNECTION_ERRORS("connection.errors", "Errors raised inside the MQTT server's own code (frames it could not"
                + " handle)"),
        LOGINS_BUSY("login.busy", "CONNECTs answered server busy (MQTT 5: 0x89) because the secret checks were backed"
                + " up"),
        LOGINS_THROTTLED_BY_ADDRESS("login.throttled", "scope", "address", Counted.LOGINS_THROTTLED),
        LOGINS_THROTTLED_BY_DEVICE("login.throttled", "scope", "device", Counted.LOGINS_THROTTLED),
        LOGINS_FAILED("login.failures", "Secret checks that failed (wrong secret, unknown device, refused record)"),
        KEY_DERIVATIONS("key.derivations", "PBKDF2 key derivations run (known and dummy credentials alike)"),
        TELEMETRY_ACCEPTED("messages.in", "kind", "telemetry", "Device messages Kafka acknowledged, by kind"),
        STATUS_ACCEPTED("messages.in", "kind", "status", "Device messages Kafka acknowledged, by kind"),
        READINGS_ACCEPTED("readings.in", "Readings in the telemetry batches Kafka acknowledged"),
        KAFKA_SEND_FAILURES("kafka.send.failures", "Telemetry/status records Kafka did not take"),
        DEADLETTER_FAILURES("deadletter.failures", "Dead-letter records Kafka did not take"),
        CONFIGS_SENT("messages.out", "kind", "config", "Messages sent to devices, by kind"),
        PUBLISHES_RECEIVED("publishes.received", "PUBLISH packets read from devices, before any check"),
        DEVICE_DROPPED_READINGS("device.dropped.readings", "Readings devices reported dropping (a full outbox), from"
                + " accepted batches"),
        /** Also counted as a device-quota-exceeded rejection. */
        QUOTA_DROPPED_QOS0("quota.dropped.qos0", "QoS 0 publishes dropped over the device's publish quota"),
        DEADLETTERS_ACKNOWLEDGED("deadletter.acknowledged", "MQTT 3.1.1 publishes refused for good, stored on the"
                + " dead-letter topic and acknowledged");

        private static final String LOGINS_THROTTLED = "CONNECTs refused at once (MQTT 5: 0x9F) after too many failed"
                + " logins, by scope (address or device id)";

        public final String meter;
        /** The label's name and value, or null for a counter without a label. */
        public final String tag;
        public final String tagValue;
        public final String help;

        Counted(String meter, String help) {
            this(meter, null, null, help);
        }

        Counted(String meter, String tag, String tagValue, String help) {
            this.meter = meter;
            this.tag = tag;
            this.tagValue = tagValue;
            this.help = help;
        }
    }

    /** A value that goes up and down ({@link #add}): its meter name (after {@code tributary.gateway.}), its help. */
    enum Level {
        CONNECTIONS_OPEN("connections.open", "Device connections open now"),
        CONNECTIONS_PAUSED("connections.paused", "Connections not reading their socket because Kafka is not keeping"
                + " up"),
        /** TCP connections (after TLS) waiting for their CONNECT. */
        PENDING_CONNECTS("pending.connects", "TCP connections that have not sent CONNECT yet"),
        KAFKA_INFLIGHT("kafka.inflight", "Records handed to Kafka and waiting for the outcome"),
        KAFKA_INFLIGHT_BYTES("kafka.inflight.bytes", "Bytes handed to Kafka and waiting for its acknowledgement (what"
                + " occupies the producer's buffer)"),
        KEY_DERIVATIONS_PENDING("key.derivations.pending", "Secret checks waiting or running now");

        public final String meter;
        public final String help;

        Level(String meter, String help) {
            this.meter = meter;
            this.help = help;
        }
    }

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
