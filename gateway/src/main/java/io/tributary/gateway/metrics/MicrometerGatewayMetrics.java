package io.tributary.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.contract.ContractRule;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.RejectReason;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * {@link GatewayMetrics} on a Micrometer {@link PrometheusMeterRegistry}: the names, labels and types on
 * {@code /metrics} are those the pipeline-health dashboard queries ({@code deploy/grafana}). Messages and Kafka here,
 * connections and logins in {@link ConnectionMeters}.
 *
 * <p>The hot path touches only meters registered once: every labelled counter sits in an {@link EnumMap} by its
 * label, so recording is one adder increment and no tag lookup. Gauges read {@link LongAdder}s at scrape time.
 */
public final class MicrometerGatewayMetrics extends ConnectionMeters {

    /** Upper bounds of the Kafka send latency histogram buckets (the last bucket is +Inf). */
    private static final double[] LATENCY_BUCKETS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25, 0.5, 1, 2.5, 5, 10, 30};

    private static final Pattern WHOLE_NUMBER = Pattern.compile("(?m)^([^#\\n][^\\n]* -?[0-9]+)\\.0$");

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
    private final Counter deviceDroppedReadings;
    private final Counter quotaDroppedQos0;
    private final Counter deadLettersAcknowledged;
    private final Timer kafkaSend;
    private final Map<ContractRule, Counter> contractViolations = new EnumMap<>(ContractRule.class);

    public MicrometerGatewayMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public MicrometerGatewayMetrics(PrometheusMeterRegistry registry) {
        super(registry);
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
        deviceDroppedReadings = counter("device.dropped.readings", "Readings devices reported dropping (a full"
                + " outbox), from accepted batches");
        quotaDroppedQos0 = counter("quota.dropped.qos0", "QoS 0 publishes dropped over the device's publish quota");
        deadLettersAcknowledged = counter("deadletter.acknowledged", "MQTT 3.1.1 publishes refused for good, stored on"
                + " the dead-letter topic and acknowledged");
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

    /** The registry these counters live in: bind more meters to it (Kafka clients, JVM), scrape it. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return scrape(registry);
    }

    /** {@code registry}'s exposition with whole numbers as {@code 3}, not {@code 3.0}, as scripts and tests expect. */
    public static String scrape(PrometheusMeterRegistry registry) {
        return WHOLE_NUMBER.matcher(registry.scrape()).replaceAll("$1");
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
    public void contractViolated(ContractRule rule) {
        contractViolations.get(rule).increment();
    }

    @Override
    public void quotaDroppedQos0() {
        quotaDroppedQos0.increment();
    }

    @Override
    public void deadLetterAcknowledged() {
        deadLettersAcknowledged.increment();
    }

    // read back by tests and the snapshot
    public long contractViolations(ContractRule rule) {
        return count(contractViolations.get(rule));
    }

    public long kafkaInFlightBytes() {
        return kafkaInFlightBytes.sum();
    }

    public long publishesReceived() {
        return count(publishesReceived);
    }


    public long quotaDroppedQos0Total() {
        return count(quotaDroppedQos0);
    }

    public long deadLettersAcknowledged() {
        return count(deadLettersAcknowledged);
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
