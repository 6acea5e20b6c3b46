package io.tributary.gateway;

import io.tributary.gateway.auth.AcceptAllAuthenticator;
import io.tributary.gateway.auth.DeviceAuthenticator;
import io.tributary.gateway.kafka.KafkaRecordSender;
import io.tributary.gateway.kafka.ProducerSettings;
import io.tributary.gateway.metrics.AtomicGatewayMetrics;
import io.tributary.gateway.mqtt.MqttGatewayVerticle;
import io.tributary.gateway.mqtt.MqttSettings;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT gateway: accepts device connections, validates what they publish and forwards it to Kafka, acknowledging
 * a QoS 1 publish only after Kafka acknowledged it ({@code acks=all}).
 *
 * <p>Lifecycle: {@link #Gateway(GatewayConfig)} starts nothing; {@link #start()} fetches Kafka's topic metadata
 * (failing if Kafka or a topic is not there within {@link GatewayConfig#kafkaStartupTimeout()}), then listens;
 * {@link #close()} stops taking connections and publishes, waits (bounded) for in-flight Kafka sends so their PUBACKs go
 * out, disconnects the devices, flushes and closes the producer.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration KEEP_WARM_INTERVAL = Duration.ofMinutes(1);
    private static final Duration DEVICE_LOG_INTERVAL = Duration.ofSeconds(10);

    private enum State { NEW, STARTING, RUNNING, CLOSED }

    private final GatewayConfig config;
    private final DeviceAuthenticator authenticator;
    private final GatewayMetrics metrics;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final List<MqttGatewayVerticle> verticles = new CopyOnWriteArrayList<>();

    private State state = State.NEW;
    private Vertx vertx;
    private volatile KafkaRecordSender sender;
    private Future<Void> started;
    private long keepWarmTimer = -1;
    private volatile int port = -1;

    /** A gateway with no authentication ({@link AcceptAllAuthenticator}) and in-memory counters. */
    public Gateway(GatewayConfig config) {
        this(config, new AcceptAllAuthenticator(), new AtomicGatewayMetrics());
    }

    /**
     * @param config the configuration
     * @param authenticator decides on CONNECTs; called on event loops, must not block
     * @param metrics where the gateway counts; must be thread-safe
     */
    public Gateway(GatewayConfig config, DeviceAuthenticator authenticator, GatewayMetrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Connects to Kafka, fetches the topics' metadata and starts listening for MQTT.
     *
     * @return completes once the MQTT port is bound; fails (and everything started is stopped again) when Kafka is not
     *     reachable, a topic is missing, or the port cannot be bound
     * @throws IllegalStateException when called twice
     */
    public synchronized CompletionStage<Void> start() {
        if (state != State.NEW) {
            throw new IllegalStateException("start() may be called once; the gateway is " + state);
        }
        state = State.STARTING;
        vertx = Vertx.vertx();
        List<String> topics = List.of(config.telemetryTopic(), config.deadLetterTopic(), config.deviceStatusTopic());
        MqttSettings settings = MqttSettings.from(config);
        started = vertx.<Void>executeBlocking(() -> {
            KafkaRecordSender created = new KafkaRecordSender(new KafkaProducer<>(ProducerSettings.from(config)),
                    config.maxInFlightBytes(), metrics);
            synchronized (this) {
                sender = created;
            }
            created.warmUp(topics, config.kafkaStartupTimeout());
            return null;
        }).compose(v -> vertx.deployVerticle(() -> {
            MqttGatewayVerticle verticle = new MqttGatewayVerticle(settings, authenticator, sender, metrics,
                    draining::get, DEVICE_LOG_INTERVAL);
            verticles.add(verticle);
            return verticle;
        }, new DeploymentOptions().setInstances(config.verticleInstances()))).<Void>map(id -> {
            port = verticles.get(0).actualPort();
            synchronized (this) {
                state = State.RUNNING;
                keepWarmTimer = vertx.setPeriodic(KEEP_WARM_INTERVAL.toMillis(), t -> keepWarm(topics));
            }
            LOG.info("Gateway listening [mqtt: {}:{}, instances: {}, kafka: {}, telemetry topic: {}]",
                    config.mqttHost(), port, config.verticleInstances(), config.kafkaBootstrapServers(),
                    config.telemetryTopic());
            return null;
        }).recover(error -> {
            LOG.error("Gateway failed to start: {}", error.getMessage() != null ? error.getMessage() : error);
            return vertx.<Void>executeBlocking(() -> {
                stopEverything(Duration.ZERO);
                return null;
            }).transform(ignored -> Future.failedFuture(error));
        });
        return started.toCompletionStage();
    }

    /**
     * The bound MQTT port (the chosen one when the configured port is 0).
     *
     * @throws IllegalStateException before {@link #start()} completed
     */
    public int mqttPort() {
        int bound = port;
        if (bound < 0) {
            throw new IllegalStateException("the gateway is not listening");
        }
        return bound;
    }

    /** The gateway's counters. */
    public GatewayMetrics metrics() {
        return metrics;
    }

    /**
     * Shuts down gracefully: refuses new CONNECTs and stops taking PUBLISHes, waits up to
     * {@link GatewayConfig#shutdownTimeout()} for the sends already handed to Kafka (their PUBACKs go out), disconnects
     * the devices (MQTT 5: reason 0x8B), flushes and closes the producer and stops Vert.x; every further step is bounded
     * too. Idempotent. Blocks: do not call it on an event loop.
     */
    @Override
    public void close() {
        Future<Void> starting;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            if (state == State.NEW) {
                state = State.CLOSED;
                return;
            }
            if (Context.isOnEventLoopThread()) {
                throw new IllegalStateException("close() blocks: call it from a non-event-loop thread");
            }
            starting = started;
        }
        await(starting, config.kafkaStartupTimeout().plus(STEP_TIMEOUT), "start");
        stopEverything(config.shutdownTimeout());
    }

    private void stopEverything(Duration drainTimeout) {
        KafkaRecordSender kafka;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            kafka = sender;
            if (keepWarmTimer >= 0) {
                vertx.cancelTimer(keepWarmTimer);
            }
        }
        draining.set(true);
        if (kafka != null && !drainTimeout.isZero()) {
            awaitInFlight(kafka, drainTimeout);
        }
        for (String deploymentId : vertx.deploymentIDs()) {
            await(vertx.undeploy(deploymentId), STEP_TIMEOUT, "stop MQTT server");
        }
        port = -1;
        if (kafka != null) {
            kafka.close(STEP_TIMEOUT);
        }
        if (!Context.isOnVertxThread()) {
            await(vertx.close(), STEP_TIMEOUT, "stop Vert.x");
        } else {
            vertx.close().onFailure(e -> LOG.warn("Vert.x did not stop cleanly", e));
        }
        LOG.info("Gateway stopped");
    }

    private void awaitInFlight(KafkaRecordSender kafka, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (kafka.inFlightRecords() > 0 && System.nanoTime() - deadline < 0) {
            try {
                TimeUnit.MILLISECONDS.sleep(10); // off the event loop: close() runs on a caller or shutdown thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long left = kafka.inFlightRecords();
        if (left > 0) {
            LOG.warn("Shutting down with {} Kafka sends unfinished after {} ms; their devices get no PUBACK and"
                    + " re-send", left, timeout.toMillis());
        }
    }

    private void keepWarm(List<String> topics) {
        KafkaRecordSender kafka = sender;
        vertx.<Void>executeBlocking(() -> {
            kafka.keepWarm(topics);
            return null;
        }, false).onFailure(e -> LOG.warn("Kafka metadata refresh failed", e));
    }

    private static void await(Future<?> future, Duration timeout, String what) {
        try {
            future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.debug("Could not {}: {}", what, e.getCause().toString());
        } catch (TimeoutException e) {
            LOG.warn("Could not {} within {} ms", what, timeout.toMillis());
        }
    }
}
