package io.tributary.gateway;

import io.tributary.gateway.kafka.KafkaHealthCheck;
import io.tributary.gateway.registry.DeviceRegistryView;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code /health/ready} says beyond the gateway's own state: Kafka answered a cluster description within 3 s at
 * the last check (every 5 s, off the event loop), and the device registry consumer is alive and polling (without it a
 * disabled device stays connected and a new one cannot log in). Changes are logged once and counted in
 * {@link GatewayMetrics#registryConsumerUp(boolean)}.
 */
final class GatewayHealth implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Vertx vertx;
    private final KafkaHealthCheck kafka;
    private final DeviceRegistryView registry;
    private final Duration registryStallTimeout;
    private final GatewayMetrics metrics;
    /** True at start: the gateway reached Kafka before it built this. */
    private volatile boolean kafkaReachable = true;
    private volatile boolean registryWasHealthy = true;
    private long timer = -1;

    GatewayHealth(Vertx vertx, KafkaHealthCheck kafka, DeviceRegistryView registry, Duration registryStallTimeout,
            GatewayMetrics metrics) {
        this.vertx = vertx;
        this.kafka = kafka;
        this.registry = registry;
        this.registryStallTimeout = registryStallTimeout;
        this.metrics = metrics;
    }

    /** Checks every 5 s from now on, also when nobody asks, to keep the metric and the log current. */
    synchronized void start() {
        timer = vertx.setPeriodic(INTERVAL.toMillis(), t -> check());
    }

    /** Empty when Kafka is reachable and the registry consumer healthy, else why not. */
    Optional<String> problem() {
        return kafkaReachable ? registryProblem() : Optional.of("Kafka not reachable");
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

    private void check() {
        registryProblem();
        vertx.<Boolean>executeBlocking(() -> kafka.reachable(TIMEOUT), false).onComplete(result -> {
            boolean reachable = result.succeeded() && result.result();
            if (reachable != kafkaReachable) {
                if (reachable) {
                    LOG.info("Kafka reachable again: ready");
                } else {
                    LOG.warn("Kafka not reachable: not ready");
                }
            }
            kafkaReachable = reachable;
        });
    }

    @Override
    public synchronized void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        kafka.close();
    }
}
