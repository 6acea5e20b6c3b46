package io.tributary.gateway;

import io.tributary.gateway.auth.AcceptAllAuthenticator;
import io.tributary.gateway.auth.DeviceAuthenticator;
import io.tributary.gateway.kafka.InFlightLimits;
import io.tributary.gateway.kafka.KafkaRecordSender;
import io.tributary.gateway.kafka.ProducerSettings;
import io.tributary.gateway.http.OperationsServer;
import io.tributary.gateway.metrics.MicrometerGatewayMetrics;
import io.tributary.gateway.metrics.SystemMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.gateway.mqtt.MqttGatewayVerticle;
import io.tributary.gateway.mqtt.MqttSettings;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.tributary.gateway.auth.RegistryAuthenticator;
import io.tributary.gateway.kafka.KafkaHealthCheck;
import io.tributary.gateway.mqtt.ConnectionLimiter;
import io.tributary.gateway.mqtt.TlsFiles;
import io.tributary.gateway.validation.TelemetryValidator;
import io.tributary.contract.registry.DeviceRecord;
import io.tributary.gateway.registry.DeviceRegistryView;
import io.tributary.contract.registry.RegistryListener;
import io.tributary.contract.registry.RegistryTopics;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private static final Duration HEALTH_INTERVAL = Duration.ofSeconds(5);
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);

    private enum State { NEW, STARTING, RUNNING, CLOSED }

    private final GatewayConfig config;
    private final DeviceAuthenticator authenticator;
    private final GatewayMetrics metrics;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final List<MqttGatewayVerticle> verticles = new CopyOnWriteArrayList<>();

    private volatile State state = State.NEW;
    private Vertx vertx;
    private volatile KafkaRecordSender sender;
    private Future<Void> started;
    private long keepWarmTimer = -1;
    private volatile int port = -1;
    private volatile int tlsPort = -1;
    private volatile int httpPort = -1;
    private volatile boolean kafkaReachable;
    private volatile KafkaHealthCheck health;
    private long healthTimer = -1;
    private final ConnectionLimiter limiter;
    private volatile DeviceRegistryView registry;
    /** The one registry authenticator all verticles share (its throttle, fingerprints and threads); null otherwise. */
    private volatile RegistryAuthenticator registryAuthenticator;
    /** Whether the registry consumer was healthy at the last check, to log changes once. */
    private volatile boolean registryWasHealthy = true;
    /** Checks telemetry against the input contract; one per gateway, as it holds the sensors per device. */
    private final TelemetryValidator validator;
    /** One live connection per device id and the per-device publish quotas, across all verticles and listeners. */
    private final io.tributary.gateway.mqtt.DeviceSessions<?> sessions;
    /** Connections that have not sent CONNECT yet, across all verticles and listeners. */
    private final ConnectionLimiter pendingConnects;
    /** The meters {@code /metrics} shows: the gateway's counters, readiness, JVM, process and Kafka client. */
    private final PrometheusMeterRegistry meters;
    private volatile AutoCloseable systemMetrics;
    private volatile KafkaClientMetrics producerMetrics;
    /** What {@link #start()} is doing, to say what failed. */
    private volatile String step = "start";
    private volatile String failure;

    /**
     * A gateway authenticating as {@link GatewayConfig#authentication()} says (the device registry, or
     * {@link AcceptAllAuthenticator} for {@code NONE}), counting into a new {@link MicrometerGatewayMetrics}.
     */
    public Gateway(GatewayConfig config) {
        this(config, new MicrometerGatewayMetrics());
    }

    /**
     * As {@link #Gateway(GatewayConfig)}, counting into {@code metrics}; {@code /metrics} shows them when they are a
     * {@link MicrometerGatewayMetrics} (else only the readiness, JVM and process meters).
     */
    public Gateway(GatewayConfig config, GatewayMetrics metrics) {
        this(config, null, metrics);
    }

    /**
     * @param config the configuration
     * @param authenticator decides on CONNECTs; called on event loops, must not block; null: as
     *     {@link GatewayConfig#authentication()} says
     * @param metrics where the gateway counts; must be thread-safe
     */
    public Gateway(GatewayConfig config, DeviceAuthenticator authenticator, GatewayMetrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.authenticator = authenticator;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.limiter = new ConnectionLimiter(config.maxConnections());
        this.validator = TelemetryValidator.of(config, metrics);
        this.sessions = new io.tributary.gateway.mqtt.DeviceSessions<>(config.deviceLimits());
        this.pendingConnects = new ConnectionLimiter(config.deviceLimits().maxPendingConnects(),
                config.deviceLimits().maxPendingConnectsPerAddress());
        this.meters = metrics instanceof MicrometerGatewayMetrics m ? m.registry()
                : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Gauge.builder("tributary.gateway.ready", this, g -> g.ready() ? 1 : 0)
                .description("1 while Kafka is reachable and the device registry is loaded").register(meters);
        Gauge.builder("tributary.gateway.connections.max", config, GatewayConfig::maxConnections)
                .description("Configured connection limit").register(meters);
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
        // Netty's epoll transport where it loads (Linux on x86-64 or ARM64), NIO elsewhere
        vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        List<String> topics = List.of(config.telemetryTopic(), config.deadLetterTopic(), config.deviceStatusTopic());
        MqttSettings settings = MqttSettings.from(config, ManagementFactory.getRuntimeMXBean().getName());
        Promise<Void> outcome = Promise.promise();
        vertx.<Void>executeBlocking(() -> {
            step = "check the TLS files";
            TlsFiles.check(config.tls());
            step = "reach Kafka at " + config.kafkaBootstrapServers();
            KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ProducerSettings.from(config));
            producerMetrics = new KafkaClientMetrics(producer);
            producerMetrics.bindTo(meters);
            KafkaRecordSender created = new KafkaRecordSender(producer,
                    new InFlightLimits(config.maxInFlightBytes(), config.pauseReadingAtBytes()),
                    config.kafkaDeliveryTimeout(), metrics);
            synchronized (this) {
                sender = created;
            }
            created.warmUp(topics, config.kafkaStartupTimeout());
            startRegistry();
            synchronized (this) {
                health = new KafkaHealthCheck(kafkaClientProperties());
                if (authenticator == null && config.authentication() == GatewayConfig.Authentication.REGISTRY) {
                    registryAuthenticator = new RegistryAuthenticator(registry, config.auth(), metrics);
                }
            }
            kafkaReachable = true;
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
            systemMetrics = SystemMetrics.bind(meters);
            synchronized (this) {
                state = State.RUNNING;
                keepWarmTimer = vertx.setPeriodic(KEEP_WARM_INTERVAL.toMillis(), t -> keepWarm(topics));
                healthTimer = vertx.setPeriodic(HEALTH_INTERVAL.toMillis(), t -> checkKafka());
            }
            LOG.info("Gateway listening [mqtt: {}:{}, mqtt-tls: {}, http: {}, instances: {}, kafka: {},"
                    + " telemetry topic: {}, authentication: {}, max connections: {}, transport: {}]", config.mqttHost(),
                    port, tlsPort, httpPort, config.verticleInstances(), config.kafkaBootstrapServers(),
                    config.telemetryTopic(),
                    authenticator != null ? authenticator.getClass().getSimpleName() : config.authentication(),
                    config.maxConnections(), vertx.isNativeTransportEnabled() ? "epoll" : "nio");
            if (authenticator == null && config.authentication() == GatewayConfig.Authentication.NONE) {
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

    /** Deploys one MQTT listener (plain when {@code tls} is null) on every verticle instance; its bound port. */
    private Future<Integer> deployListener(MqttSettings settings, TlsSettings tls) {
        List<MqttGatewayVerticle> deployed = new CopyOnWriteArrayList<>();
        return vertx.deployVerticle(() -> {
            MqttGatewayVerticle verticle = new MqttGatewayVerticle(settings, deviceAuthenticator(), sender, metrics,
                    draining::get, DEVICE_LOG_INTERVAL, registry, limiter, tls, validator,
                    sessions, pendingConnects);
            verticles.add(verticle);
            deployed.add(verticle);
            return verticle;
        }, new DeploymentOptions().setInstances(config.verticleInstances()))
                .map(id -> deployed.get(0).actualPort())
                .recover(e -> Future.failedFuture(tls == null ? e : new IllegalArgumentException(
                        "TLS listener on port " + tls.port() + " failed to start with certificate "
                                + tls.certificatePath() + " and key " + tls.keyPath() + ": " + e.getMessage(), e)));
    }

    /** {@code /metrics}, {@code /health/live}, {@code /health/ready} on {@link GatewayConfig#httpPort()}. */
    private Future<Integer> startOperations() {
        return new OperationsServer(vertx, new OperationsServer.Probes() {
            @Override
            public String scrape() {
                return MicrometerGatewayMetrics.scrape(meters);
            }

            @Override
            public Optional<String> notReadyBecause() {
                return ready() ? Optional.empty() : Optional.of(notReadyReason());
            }
        }).start(config.mqttHost(), config.httpPort());
    }

    /** Why {@link #start()} failed, naming the step (e.g. the busy port); empty unless it failed. */
    public Optional<String> startFailure() {
        return Optional.ofNullable(failure);
    }

    /** The meters of {@code /metrics}, for more binders. */
    public PrometheusMeterRegistry meterRegistry() {
        return meters;
    }

    /**
     * Whether the gateway takes devices' data now: running, not draining, Kafka reachable, and the device registry
     * consumer alive and polling (without it a disabled device stays connected and a new one cannot log in).
     */
    public boolean ready() {
        return state == State.RUNNING && !draining.get() && kafkaReachable && registryProblem().isEmpty();
    }

    private String notReadyReason() {
        if (state != State.RUNNING || draining.get()) {
            return "gateway " + (draining.get() ? "shutting down" : state.toString().toLowerCase(java.util.Locale.ROOT));
        }
        if (!kafkaReachable) {
            return "Kafka not reachable";
        }
        return registryProblem().orElse("ready");
    }

    /** Why the registry consumer is not healthy, if it is not; counted into the metrics and logged on a change. */
    private Optional<String> registryProblem() {
        DeviceRegistryView view = registry;
        Optional<String> problem = view == null ? Optional.of("device registry not started")
                : view.unhealthyBecause(config.auth().registryStallTimeout());
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

    /** The registry this gateway follows (tests). */
    DeviceRegistryView registryView() {
        return registry;
    }

    private void checkKafka() {
        if (state == State.RUNNING) {
            registryProblem(); // keeps the registry metric and log current even when nobody asks /health/ready
        }
        KafkaHealthCheck check = health;
        if (check == null) {
            return;
        }
        vertx.<Boolean>executeBlocking(() -> check.reachable(HEALTH_TIMEOUT), false).onComplete(result -> {
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

    private Map<String, Object> kafkaClientProperties() {
        Map<String, Object> kafka = new HashMap<>(config.kafkaProperties());
        kafka.put("bootstrap.servers", config.kafkaBootstrapServers());
        return kafka;
    }

    /** Loads the device registry (creating its compacted topics if missing) and follows its changes. */
    private void startRegistry() {
        Map<String, Object> kafka = kafkaClientProperties();
        RegistryTopics registryTopics = new RegistryTopics(config.devicesTopic(), config.deviceConfigTopic());
        registryTopics.ensureExist(kafka, config.kafkaStartupTimeout().toMillis());
        DeviceRegistryView view = new DeviceRegistryView(registryTopics, kafka, config.auth().credentialRules(),
                problem -> metrics.registryRecordRefused(problem.code()));
        synchronized (this) {
            registry = view;
        }
        view.addListener(new RegistryListener() {
            @Override
            public void deviceChanged(String deviceId, Optional<DeviceRecord> device) {
                if (device.isEmpty() || !device.get().enabled()) {
                    String why = device.isEmpty() ? "device removed" : "device disabled";
                    LOG.info("Closing the connections of a revoked device [device: {}, reason: {}]", deviceId, why);
                    verticles.forEach(v -> v.revokeDevice(deviceId, why));
                }
            }

            @Override
            public void configChanged(String deviceId, Optional<byte[]> deviceConfig) {
                deviceConfig.ifPresent(bytes -> verticles.forEach(v -> v.configChanged(deviceId, bytes)));
            }
        });
        view.start(config.kafkaStartupTimeout());
    }

    private DeviceAuthenticator deviceAuthenticator() {
        if (authenticator != null) {
            return authenticator;
        }
        if (config.authentication() == GatewayConfig.Authentication.REGISTRY) {
            return registryAuthenticator;
        }
        return new AcceptAllAuthenticator();
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
            if (healthTimer >= 0) {
                vertx.cancelTimer(healthTimer);
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
        tlsPort = -1;
        httpPort = -1;
        if (kafka != null) {
            kafka.close(STEP_TIMEOUT);
        }
        RegistryAuthenticator auth = registryAuthenticator;
        if (auth != null) {
            auth.close();
        }
        DeviceRegistryView view = registry;
        if (view != null) {
            view.close();
        }
        KafkaHealthCheck check = health;
        if (check != null) {
            check.close();
        }
        closeMeters();
        if (!Context.isOnVertxThread()) {
            await(vertx.close(), STEP_TIMEOUT, "stop Vert.x");
        } else {
            vertx.close().onFailure(e -> LOG.warn("Vert.x did not stop cleanly", e));
        }
        LOG.info("Gateway stopped");
    }

    private void closeMeters() {
        KafkaClientMetrics kafkaMeters = producerMetrics;
        if (kafkaMeters != null) {
            kafkaMeters.close();
        }
        AutoCloseable system = systemMetrics;
        if (system != null) {
            try {
                system.close();
            } catch (Exception e) {
                LOG.debug("Could not stop the GC meters", e);
            }
        }
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
