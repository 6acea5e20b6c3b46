package io.tributary.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.contract.kafka.KafkaClusterWatch;
import io.tributary.gateway.registry.DeviceRegistryView;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code /health/ready} says beyond the gateway's own state: Kafka as the {@link KafkaClusterWatch} sees it (the
 * topic without a leader, the broker down), and the device registry consumer alive and polling (without it a disabled
 * device stays connected and a new one cannot log in). Registry changes are logged once and counted in
 * {@link GatewayMetrics#registryConsumerUp(boolean)}, checked every 5 s also when nobody asks.
 */
final class GatewayHealth implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final Duration INTERVAL = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final KafkaClusterWatch kafka;
    private final DeviceRegistryView registry;
    private final Duration registryStallTimeout;
    private final GatewayMetrics metrics;
    private volatile boolean registryWasHealthy = true;
    private long timer = -1;

    GatewayHealth(Vertx vertx, GatewayConfig config, DeviceRegistryView registry, GatewayMetrics metrics) {
        this.vertx = vertx;
        this.kafka = new KafkaClusterWatch(config.kafkaClientProperties(), "tributary-gateway-health",
                List.of(config.topics().telemetry(), config.topics().deviceStatus(), config.topics().deadLetter(),
                        config.topics().devices()), INTERVAL);
        this.registry = registry;
        this.registryStallTimeout = config.auth().registryStallTimeout();
        this.metrics = metrics;
    }

    /** Checks the registry every 5 s from now on, to keep the metric and the log current; binds the Kafka meters. */
    synchronized void start(MeterRegistry meters) {
        kafka.bindTo(meters);
        timer = vertx.setPeriodic(INTERVAL.toMillis(), t -> registryProblem());
    }

    /** Empty when Kafka can take the gateway's records and the registry consumer is healthy, else why not. */
    Optional<String> problem() {
        return kafka.problem().or(this::registryProblem);
    }

    /** Kafka degraded while the gateway still works (a broker down, partitions under-replicated). */
    Optional<String> warning() {
        return kafka.warning();
    }

    /** Why the registry consumer is not healthy, if it is not; counted into the metrics and logged on a change. */
    private Optional<String> registryProblem() {
        Optional<String> problem = registry.unhealthyBecause(registryStallTimeout);
        boolean healthy = problem.isEmpty();
        metrics.registryConsumerUp(healthy);
        if (healthy != registryWasHealthy) {
            registryWasHealthy = healthy;
            if (healthy) {
                LOG.info("Device registry consumer polling again: ready");
            } else {
                LOG.error("Not ready: {}", problem.get());
            }
        }
        return problem;
    }

    @Override
    public synchronized void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        kafka.close();
    }
}
