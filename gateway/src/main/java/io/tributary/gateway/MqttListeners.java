package io.tributary.gateway;

import io.tributary.contract.registry.DeviceRecord;
import io.tributary.contract.registry.RegistryListener;
import io.tributary.contract.registry.RegistryTopics;
import io.tributary.gateway.auth.DeviceAuthenticator;
import io.tributary.gateway.mqtt.ConnectionLimiter;
import io.tributary.gateway.mqtt.DeviceSessions;
import io.tributary.gateway.mqtt.MqttGatewayVerticle;
import io.tributary.gateway.mqtt.MqttListenerSettings;
import io.tributary.gateway.outbound.TelemetrySink;
import io.tributary.gateway.registry.DeviceRegistryView;
import io.tributary.gateway.validation.TelemetryValidator;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's MQTT listeners and what all their verticles share: the connection limit, the device sessions and
 * publish quotas, the pending-CONNECT slots and the input-contract validator (which holds the sensors per device), so
 * a limit holds across every verticle instance and listener, plain and TLS; and the device registry they follow.
 */
final class MqttListeners {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final BooleanSupplier draining;
    private final ConnectionLimiter limiter;
    private final TelemetryValidator validator;
    private final DeviceSessions<?> sessions;
    private final ConnectionLimiter pendingConnects;
    /** Every verticle deployed, for the registry to reach (revoked devices, changed configurations). */
    private final List<MqttGatewayVerticle> verticles = new CopyOnWriteArrayList<>();

    /** @param draining whether the gateway is shutting down (refuse CONNECTs, stop taking PUBLISHes) */
    MqttListeners(GatewayConfig config, GatewayMetrics metrics, BooleanSupplier draining) {
        this.config = config;
        this.metrics = metrics;
        this.draining = draining;
        this.limiter = new ConnectionLimiter(config.maxConnections());
        this.validator = TelemetryValidator.of(config, metrics);
        this.sessions = new DeviceSessions<>(config.deviceLimits());
        this.pendingConnects = new ConnectionLimiter(config.deviceLimits().maxPendingConnects(),
                config.deviceLimits().maxPendingConnectsPerAddress());
    }

    /**
     * Loads the device registry (creating its compacted topics if missing) and passes its changes on to every verticle
     * deployed: a revoked device's connections are closed, a changed configuration is pushed. Blocks: call it off the
     * event loop.
     */
    DeviceRegistryView followRegistry(Vertx vertx) {
        Map<String, Object> kafka = config.kafkaClientProperties();
        RegistryTopics topics = RegistryTopics.forPrefix(config.topics().prefix());
        topics.ensureExist(kafka, config.kafkaStartupTimeout().toMillis());
        DeviceRegistryView view = new DeviceRegistryView(vertx, topics, kafka, config.auth().credentialRules(),
                problem -> metrics.registryRecordRefused(problem.code()));
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
        try {
            view.start(config.kafkaStartupTimeout());
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
        return view;
    }

    /** Deploys one MQTT listener (plain when {@code tls} is null) on every verticle instance; its bound port. */
    Future<Integer> deploy(Vertx vertx, MqttListenerSettings settings, TlsSettings tls,
            DeviceAuthenticator authenticator, TelemetrySink sink, DeviceRegistryView registry) {
        List<MqttGatewayVerticle> deployed = new CopyOnWriteArrayList<>();
        return vertx.deployVerticle(() -> {
            MqttGatewayVerticle verticle = new MqttGatewayVerticle(settings, authenticator, sink, metrics,
                    draining, registry, limiter, tls, validator, sessions, pendingConnects);
            verticles.add(verticle);
            deployed.add(verticle);
            return verticle;
        }, new DeploymentOptions().setInstances(config.verticleInstances()))
                .map(id -> deployed.get(0).actualPort())
                .recover(e -> Future.failedFuture(tls == null ? e : new IllegalArgumentException(
                        "TLS listener on port " + tls.port() + " failed to start with certificate "
                                + tls.certificatePath() + " and key " + tls.keyPath() + ": " + e.getMessage(), e)));
    }
}
