package io.tributary.gateway.metrics;

import io.tributary.contract.ContractRule;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.RejectReason;
import io.tributary.contract.registry.CredentialRules;
import java.util.Locale;
import java.util.Map;

/** Renders the gateway's counters in the Prometheus text exposition format (version 0.0.4). */
public final class PrometheusExposition {

    /** The {@code Content-Type} of the rendered text. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusExposition() {
    }

    /**
     * @param metrics the gateway's metrics; histograms and the extra counters only when it is an
     *     {@link AtomicGatewayMetrics}
     * @param ready whether the gateway is ready (Kafka reachable, registry loaded)
     * @param maxConnections the configured connection limit
     */
    public static String render(GatewayMetrics metrics, boolean ready, int maxConnections) {
        GatewayMetrics.Snapshot s = metrics.snapshot();
        StringBuilder out = new StringBuilder(4096);
        gauge(out, "tributary_gateway_ready", "1 while Kafka is reachable and the device registry is loaded",
                ready ? 1 : 0);
        gauge(out, "tributary_gateway_connections_open", "Device connections open now", s.connectionsOpen());
        gauge(out, "tributary_gateway_connections_max", "Configured connection limit", maxConnections);
        counter(out, "tributary_gateway_connections_accepted_total", "CONNECTs accepted", s.connectionsAccepted());
        counter(out, "tributary_gateway_connections_refused_total", "CONNECTs refused (credentials, disabled,"
                + " limit, shutdown)", s.connectionsRefused());
        out.append("# HELP tributary_gateway_messages_in_total Device messages Kafka acknowledged, by kind\n")
                .append("# TYPE tributary_gateway_messages_in_total counter\n");
        sample(out, "tributary_gateway_messages_in_total{kind=\"telemetry\"}", s.telemetryBatchesAccepted());
        sample(out, "tributary_gateway_messages_in_total{kind=\"status\"}", s.statusMessagesAccepted());
        counter(out, "tributary_gateway_readings_in_total", "Readings in the telemetry batches Kafka acknowledged",
                s.readingsAccepted());
        out.append("# HELP tributary_gateway_rejections_total Packets refused, by reason\n")
                .append("# TYPE tributary_gateway_rejections_total counter\n");
        for (RejectReason reason : RejectReason.values()) {
            sample(out, "tributary_gateway_rejections_total{reason=\"" + reason.code() + "\"}",
                    s.rejections(reason));
        }
        counter(out, "tributary_gateway_kafka_send_failures_total", "Telemetry/status records Kafka did not take",
                s.kafkaSendFailures());
        counter(out, "tributary_gateway_deadletter_failures_total", "Dead-letter records Kafka did not take",
                s.deadLetterFailures());
        gauge(out, "tributary_gateway_kafka_inflight", "Records handed to Kafka and waiting for the outcome",
                s.kafkaInFlight());
        if (metrics instanceof AtomicGatewayMetrics atomic) {
            out.append("# HELP tributary_gateway_messages_out_total Messages sent to devices, by kind\n")
                    .append("# TYPE tributary_gateway_messages_out_total counter\n");
            sample(out, "tributary_gateway_messages_out_total{kind=\"config\"}", atomic.configsSent());
            counter(out, "tributary_gateway_publishes_received_total", "PUBLISH packets read from devices, before"
                    + " any check", atomic.publishesReceived());
            gauge(out, "tributary_gateway_kafka_inflight_bytes", "Bytes handed to Kafka and waiting for its"
                    + " acknowledgement (what occupies the producer's buffer)", atomic.kafkaInFlightBytes());
            gauge(out, "tributary_gateway_connections_paused", "Connections not reading their socket because Kafka"
                    + " is not keeping up", atomic.connectionsPaused());
            counter(out, "tributary_gateway_read_pauses_total", "Times a connection stopped reading its socket"
                    + " because Kafka was not keeping up", atomic.readPauses());
            counter(out, "tributary_gateway_connections_revoked_total", "Connections closed because the device was"
                    + " disabled", atomic.connectionsRevoked());
            counter(out, "tributary_gateway_device_dropped_readings_total", "Readings devices reported dropping"
                    + " (a full outbox), from accepted batches", atomic.deviceDroppedReadings());
            // ---- per-device fairness (issue 17) ----
            counter(out, "tributary_gateway_session_takeovers_total", "CONNECTs with the id of a connected device"
                    + " that took its session over (the older connection was ended): clones show here",
                    atomic.sessionTakeovers());
            gauge(out, "tributary_gateway_pending_connects", "TCP connections that have not sent CONNECT yet",
                    atomic.pendingConnects());
            counter(out, "tributary_gateway_pending_connects_refused_total", "TCP connections closed at once because"
                    + " too many had not sent CONNECT", atomic.pendingConnectsRefused());
            counter(out, "tributary_gateway_pending_connects_refused_per_address_total", "TCP connections closed at"
                    + " once because their address (IPv6: /64) held its share of the pending-CONNECT slots",
                    atomic.pendingConnectsRefusedPerAddress());
            counter(out, "tributary_gateway_connect_timeouts_total", "Connections closed because no CONNECT came in"
                    + " time", atomic.connectTimeouts());
            counter(out, "tributary_gateway_quota_dropped_qos0_total", "QoS 0 publishes dropped over the device's"
                    + " publish quota", atomic.quotaDroppedQos0Total());
            counter(out, "tributary_gateway_unread_answers_closed_total", "Connections closed because they left too"
                    + " many answers unread (not reading their socket)", atomic.unreadAnswersClosedTotal());
            counter(out, "tributary_gateway_deadletter_acknowledged_total", "MQTT 3.1.1 publishes refused for good,"
                    + " stored on the dead-letter topic and acknowledged", atomic.deadLettersAcknowledged());
            counter(out, "tributary_gateway_connection_errors_total", "Errors raised inside the MQTT server's own code"
                    + " (frames it could not handle)", atomic.connectionErrors());
            authentication(out, atomic);
            out.append("# HELP tributary_gateway_kafka_send_seconds Time from handing a record to Kafka until its"
                    + " acknowledgement is back on the event loop\n")
                    .append("# TYPE tributary_gateway_kafka_send_seconds histogram\n");
            long[] counts = atomic.latencyBucketCounts();
            long cumulative = 0;
            for (int i = 0; i < counts.length; i++) {
                cumulative += counts[i];
                String le = i < AtomicGatewayMetrics.LATENCY_BUCKETS.length
                        ? number(AtomicGatewayMetrics.LATENCY_BUCKETS[i]) : "+Inf";
                sample(out, "tributary_gateway_kafka_send_seconds_bucket{le=\"" + le + "\"}", cumulative);
            }
            out.append("tributary_gateway_kafka_send_seconds_sum ")
                    .append(number(atomic.latencyNanosSum() / 1e9)).append('\n');
            sample(out, "tributary_gateway_kafka_send_seconds_count", cumulative);
            // issue 17: the input contract
            out.append("# HELP tributary_gateway_contract_violations_total Telemetry batches refused for breaking the"
                    + " input contract, by rule (also counted in rejections_total{reason=\"contract-violation\"})\n")
                    .append("# TYPE tributary_gateway_contract_violations_total counter\n");
            for (ContractRule rule : ContractRule.values()) {
                sample(out, "tributary_gateway_contract_violations_total{rule=\"" + rule.label() + "\"}",
                        atomic.contractViolations(rule));
            }
        }
        return out.toString();
    }

    /** The authentication block (issue 17, deliverable 4). */
    private static void authentication(StringBuilder out, AtomicGatewayMetrics atomic) {
        out.append("# HELP tributary_gateway_login_throttled_total CONNECTs refused at once (MQTT 5: 0x9F) after too"
                + " many failed logins, by scope (address or device id)\n")
                .append("# TYPE tributary_gateway_login_throttled_total counter\n");
        for (String scope : AtomicGatewayMetrics.THROTTLE_SCOPES) {
            sample(out, "tributary_gateway_login_throttled_total{scope=\"" + scope + "\"}",
                    atomic.loginsThrottled(scope));
        }
        counter(out, "tributary_gateway_login_busy_total", "CONNECTs answered server busy (MQTT 5: 0x89) because the"
                + " secret checks were backed up", atomic.loginsBusy());
        counter(out, "tributary_gateway_login_failures_total", "Secret checks that failed (wrong secret, unknown"
                + " device, refused record)", atomic.loginsFailed());
        counter(out, "tributary_gateway_key_derivations_total", "PBKDF2 key derivations run (known and dummy"
                + " credentials alike)", atomic.keyDerivations());
        out.append("# HELP tributary_gateway_key_derivation_seconds_total Time spent in key derivations\n")
                .append("# TYPE tributary_gateway_key_derivation_seconds_total counter\n")
                .append("tributary_gateway_key_derivation_seconds_total ")
                .append(number(atomic.keyDerivationNanos() / 1e9)).append('\n');
        gauge(out, "tributary_gateway_key_derivations_pending", "Secret checks waiting or running now",
                atomic.keyDerivationsPending());
        out.append("# HELP tributary_gateway_registry_records_refused_total Device records refused as they came from"
                + " the registry topic (the device cannot log in), by reason\n")
                .append("# TYPE tributary_gateway_registry_records_refused_total counter\n");
        Map<String, Long> refused = atomic.registryRecordsRefused();
        for (CredentialRules.Problem problem : CredentialRules.Problem.values()) {
            sample(out, "tributary_gateway_registry_records_refused_total{reason=\"" + problem.code() + "\"}",
                    refused.getOrDefault(problem.code(), 0L));
        }
        gauge(out, "tributary_gateway_registry_consumer_up", "1 while the registry consumer is alive and polling",
                atomic.registryConsumerUp() ? 1 : 0);
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n");
        sample(out, name, value);
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n");
        sample(out, name, value);
    }

    private static void sample(StringBuilder out, String name, long value) {
        out.append(name).append(' ').append(value).append('\n');
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%s", value);
    }
}
