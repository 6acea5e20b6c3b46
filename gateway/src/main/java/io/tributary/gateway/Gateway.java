package io.tributary.gateway;

import io.tributary.contract.registry.DeviceRecord;
import io.tributary.common.KafkaClientConfig;
import io.tributary.gateway.auth.AcceptAllAuthenticator;
import io.tributary.gateway.auth.DeviceAuthenticator;
import io.tributary.gateway.kafka.KafkaOutbound;
import io.tributary.gateway.http.OperationsServer;
import io.tributary.gateway.metrics.MicrometerGatewayMetrics;
import io.tributary.gateway.mqtt.MqttListenerSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.tributary.gateway.auth.RegistryAuthenticator;
import io.tributary.gateway.mqtt.TlsFiles;
import io.tributary.gateway.registry.DeviceRegistryView;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT gateway: accepts device connections, validates what they publish and forwards it to Kafka, acknowledging
 * a QoS 1 publish only after Kafka acknowledged it ({@code acks=all}). The constructors start nothing; see
 * {@link #start()} and {@link #close()}.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private enum State { NEW, STARTING, RUNNING, CLOSED }

    private final GatewayConfig config;
    private final MicrometerGatewayMetrics metrics;
    private final AtomicBoolean draining = new AtomicBoolean();

    private volatile State state = State.NEW;
    private Vertx vertx;
    private volatile KafkaOutbound sender;
    private Future<Void> started;
    private volatile int port = -1;
    private volatile int tlsPort = -1;
    private volatile int httpPort = -1;
    private volatile GatewayHealth health;
    private volatile DeviceRegistryView registry;
    /** The one authenticator all verticles share (the registry's: its throttle, fingerprints and threads). */
    private volatile DeviceAuthenticator authenticator;
    private final MqttListeners listeners;
    /** What {@link #start()} is doing, to say what failed. */
    private volatile String step = "start";
    private volatile String failure;

    /**
     * A gateway authenticating as {@link GatewayConfig#authentication()} says (the device registry, or
     * {@link AcceptAllAuthenticator} for {@code NONE}), counting into a new {@link MicrometerGatewayMetrics}.
     */
    public Gateway(GatewayConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.metrics = new MicrometerGatewayMetrics();
        this.listeners = new MqttListeners(config, metrics, draining::get);
        metrics.bindGateway(this::ready, config.maxConnections());
    }

    /**
     * Connects to Kafka, fetches the topics' metadata and starts listening for MQTT; fails (and everything started is
     * stopped again) when Kafka is not reachable, a topic is missing, or a port cannot be bound. Call once.
     */
    public synchronized CompletionStage<Void> start() {
        if (state != State.NEW) {
            throw new IllegalStateException("start() may be called once; the gateway is " + state);
        }
        state = State.STARTING;
        // Netty's epoll transport where it loads (Linux on x86-64 or ARM64), NIO elsewhere
        vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        MqttListenerSettings settings = MqttListenerSettings.from(config,
                ManagementFactory.getRuntimeMXBean().getName());
        Promise<Void> outcome = Promise.promise();
        vertx.<Void>executeBlocking(() -> {
            step = "check the TLS files";
            TlsFiles.check(config.tls());
            step = "reach Kafka at " + config.kafkaBootstrapServers();
            KafkaOutbound created = KafkaOutbound.create(vertx, config, metrics);
            metrics.bindProducer(created.producer());
            synchronized (this) {
                sender = created;
            }
            created.warmUp(config.kafkaStartupTimeout());
            DeviceRegistryView view = listeners.followRegistry(vertx);
            synchronized (this) {
                registry = view;
                health = new GatewayHealth(vertx, config, registry, metrics);
                authenticator = config.authentication() == GatewayConfig.Authentication.REGISTRY
                        ? new RegistryAuthenticator(registry, config.auth(), metrics) : new AcceptAllAuthenticator();
            }
            return null;
        }).compose(v -> {
            step = "listen for MQTT on " + config.mqttHost() + ":" + config.mqttPort() + " (--mqtt-port)";
            return config.tls().plainEnabled() ? deployListener(settings, null) : Future.succeededFuture(-1);
        })
                .compose(plain -> {
                    port = plain;
                    step = "listen for MQTT over TLS on " + config.mqttHost() + ":" + config.tls().port()
                            + " (--tls-port)";
                    return config.tls().enabled() ? deployListener(settings, config.tls())
                            : Future.succeededFuture(-1);
                })
                .compose(tls -> {
                    tlsPort = tls;
                    step = "listen for HTTP on " + config.mqttHost() + ":" + config.httpPort() + " (--http-port)";
                    return config.httpPort() >= 0 ? startOperations() : Future.succeededFuture(-1);
                }).<Void>map(http -> {
            httpPort = http;
            metrics.bindSystem();
            synchronized (this) {
                state = State.RUNNING;
                sender.startKeepWarm();
                health.start(metrics.registry());
            }
            LOG.info("Gateway listening [mqtt: {}:{}, mqtt-tls: {}, http: {}, instances: {}, kafka: {} {},"
                    + " telemetry topic: {}, authentication: {}, max connections: {}, transport: {}]", config.mqttHost(),
                    port, tlsPort, httpPort, config.verticleInstances(), config.kafkaBootstrapServers(),
                    KafkaClientConfig.redact(config.kafkaProperties()),
                    config.topics().telemetry(),
                    config.authentication(),
                    config.maxConnections(), vertx.isNativeTransportEnabled() ? "epoll" : "nio");
            if (config.authentication() == GatewayConfig.Authentication.NONE) {
                LOG.warn("Authentication is OFF: any client may connect as any device. Use it for the in-process"
                        + " demo and tests only");
            }
            return null;
        }).onComplete(result -> {
            if (result.succeeded()) {
                outcome.complete();
                return;
            }
            Throwable error = result.cause();
            failure = "could not " + step + ": " + (error.getMessage() != null ? error.getMessage() : error);
            LOG.error("Gateway failed to start: {}", failure);
            // Stopping closes Vert.x, so its event loops could not deliver the outcome afterwards (the caller would
            // wait forever): stop and report from a thread of our own.
            Thread stopper = new Thread(() -> {
                try {
                    stopEverything(Duration.ZERO);
                } finally {
                    outcome.fail(error);
                }
            }, "gateway-failed-start");
            stopper.setDaemon(true);
            stopper.start();
        });
        started = outcome.future();
        return started.toCompletionStage();
    }

    private Future<Integer> deployListener(MqttListenerSettings settings, TlsSettings tls) {
        return listeners.deploy(vertx, settings, tls, authenticator, sender.sink(), registry);
    }

    private Future<Integer> startOperations() {
        return new OperationsServer(vertx, metrics::scrape,
                () -> ready() ? Optional.empty() : Optional.of(notReadyReason()),
                () -> Optional.ofNullable(health).flatMap(GatewayHealth::warning)).start(config.mqttHost(),
                config.httpPort());
    }

    /** Why {@link #start()} failed, naming the step (e.g. the busy port); empty unless it failed. */
    public Optional<String> startFailure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Whether the gateway takes devices' data now: running, not draining, Kafka reachable, and the device registry
     * consumer alive and polling (without it a disabled device stays connected and a new one cannot log in).
     */
    public boolean ready() {
        GatewayHealth h = health;
        return state == State.RUNNING && !draining.get() && h != null && h.problem().isEmpty();
    }

    private String notReadyReason() {
        if (state != State.RUNNING || draining.get()) {
            return "gateway " + (draining.get() ? "shutting down" : state.toString().toLowerCase(java.util.Locale.ROOT));
        }
        GatewayHealth h = health;
        return h == null ? "device registry not started" : h.problem().orElse("ready");
    }

    DeviceRegistryView registryView() {
        return registry;
    }

    /** The bound MQTT port (the chosen one when the configured port is 0); throws before {@link #start()} completed. */
    public int mqttPort() {
        int bound = port;
        if (bound < 0) {
            throw new IllegalStateException("the gateway is not listening");
        }
        return bound;
    }

    /** The bound MQTT-over-TLS port; -1 when the TLS listener is off or the gateway not running. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The bound HTTP port of metrics and health; -1 when off or the gateway not running. */
    public int httpPort() {
        return httpPort;
    }

    /**
     * Whether this gateway's copy of the registry holds {@code deviceId} as an enabled device: a device provisioned a
     * moment ago (e.g. with {@link io.tributary.contract.registry.DeviceRegistryClient}) is accepted once this is true
     * (usually within ~200 ms). False before {@link #start()} completed.
     */
    public boolean knowsDevice(String deviceId) {
        DeviceRegistryView view = registry;
        return view != null && view.device(deviceId).map(DeviceRecord::enabled).orElse(false);
    }

    public MicrometerGatewayMetrics metrics() {
        return metrics;
    }

    /**
     * Shuts down gracefully, each step bounded: refuses new CONNECTs and PUBLISHes, waits up to
     * {@link GatewayConfig#shutdownTimeout()} for the sends already handed to Kafka (their PUBACKs go out), disconnects
     * the devices (MQTT 5: 0x8B), closes the producer and Vert.x. Idempotent. Blocks: not on an event loop.
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
        GatewayShutdown.await(starting, config.kafkaStartupTimeout().plus(GatewayShutdown.STEP_TIMEOUT), "start");
        stopEverything(config.shutdownTimeout());
    }

    private void stopEverything(Duration drainTimeout) {
        KafkaOutbound kafka;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            kafka = sender;
            if (kafka != null) {
                kafka.stopKeepWarm();
            }
        }
        draining.set(true);
        if (kafka != null && !drainTimeout.isZero()) {
            GatewayShutdown.awaitInFlight(kafka, drainTimeout);
        }
        GatewayShutdown.stopListeners(vertx);
        port = -1;
        tlsPort = -1;
        httpPort = -1;
        if (kafka != null) {
            kafka.close(GatewayShutdown.STEP_TIMEOUT);
        }
        if (authenticator instanceof RegistryAuthenticator auth) {
            auth.close();
        }
        DeviceRegistryView view = registry;
        if (view != null) {
            view.close();
        }
        GatewayHealth check = health;
        if (check != null) {
            check.close();
        }
        metrics.close();
        GatewayShutdown.stopVertx(vertx);
        LOG.info("Gateway stopped");
    }
}
