package io.tributary.gateway.mqtt;

import io.netty.handler.codec.mqtt.MqttVersion;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.auth.ConnectRefusal;
import io.tributary.gateway.auth.ConnectRefusedException;
import io.tributary.gateway.auth.ConnectRequest;
import io.tributary.gateway.auth.DeviceAuthenticator;
import io.tributary.gateway.auth.DeviceIdentity;
import io.tributary.gateway.outbound.TelemetrySink;
import io.tributary.gateway.registry.DeviceConfigs;
import io.tributary.gateway.validation.TelemetryValidator;
import io.tributary.gateway.TlsSettings;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT server instance; several listen on one port, Vert.x spreads the connections over their event loops. They
 * share the thread-safe sink, metrics and draining flag; each keeps its own connections.
 */
public final class MqttGatewayVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(MqttGatewayVerticle.class);

    /** Vert.x shares one random port among servers on the same negative port: plain and TLS need two. */
    private static final int SHARED_RANDOM_PORT = -1;
    private static final int SHARED_RANDOM_TLS_PORT = -2;
    /** At most one WARN line per kind of device misbehaviour per interval. */
    private static final Duration DEVICE_LOG_INTERVAL = Duration.ofSeconds(10);
    /** How often devices without a connection whose quota is full again are forgotten. */
    private static final long SESSION_SWEEP_MILLIS = 10_000;

    private final MqttListenerSettings settings;
    private final DeviceAuthenticator authenticator;
    private final TelemetrySink sink;
    private final GatewayMetrics metrics;
    private final BooleanSupplier draining;
    private final TelemetryValidator validator;
    private final RateLimitedLog deviceEvents;
    private final Set<DeviceConnection> connections = new LinkedHashSet<>();
    private final DeviceConfigs configs;
    private final ConnectionLimiter limiter;
    private final TlsSettings tls;
    private MqttServer server;
    private volatile int actualPort = -1;
    private final DeviceSessions<DeviceConnection> sessions;
    private final ConnectionLimiter pendingConnects;
    private long sweepTimer = -1;

    /**
     * @param draining true once the gateway shuts down: CONNECTs are refused, PUBLISHes no longer taken
     * @param configs the configurations pushed to devices on {@code devices/{id}/config}
     * @param limiter the connection limit shared by all verticles
     * @param tls null for the plain MQTT listener on {@code settings.port()}; else the TLS listener on its port
     * @param validator shared by all verticles (it holds the sensors per device)
     * @param sessions the live session of every device id and its publish quota, shared by all verticles and
     *     listeners of the gateway ({@code new DeviceSessions<>(limits)})
     * @param pendingConnects the connections that have not sent CONNECT yet, in all and per address, shared likewise
     */
    public MqttGatewayVerticle(MqttListenerSettings settings, DeviceAuthenticator authenticator, TelemetrySink sink,
            GatewayMetrics metrics, BooleanSupplier draining, DeviceConfigs configs, ConnectionLimiter limiter,
            TlsSettings tls, TelemetryValidator validator, DeviceSessions<?> sessions, ConnectionLimiter pendingConnects) {
        @SuppressWarnings("unchecked")
        DeviceSessions<DeviceConnection> typed = (DeviceSessions<DeviceConnection>) sessions;
        this.sessions = typed;
        this.pendingConnects = pendingConnects;
        this.configs = configs;
        this.limiter = limiter;
        this.tls = tls;
        this.settings = settings;
        this.authenticator = authenticator;
        this.sink = sink;
        this.metrics = metrics;
        this.draining = draining;
        this.validator = validator;
        this.deviceEvents = new RateLimitedLog(LoggerFactory.getLogger("io.tributary.gateway.devices"),
                DEVICE_LOG_INTERVAL);
    }

    @Override
    public Future<?> start() {
        try {
            EndpointSockets.check();
        } catch (IllegalStateException e) {
            return Future.failedFuture(e);
        }
        MqttServerOptions options = new MqttServerOptions()
                .setHost(settings.host())
                .setMaxMessageSize(settings.maxPacketBytes())
                .setAutoClientId(false)
                .setMaxClientIdLength(256)
                .setTimeoutOnConnect((int) Math.max(1, settings.connectTimeout().toSeconds()));
        int configuredPort = settings.port();
        if (tls != null) {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(tls.certificatePath().toString())
                    .setKeyPath(tls.keyPath().toString()));
            if (tls.mutual()) {
                options.setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCaPath().toString()))
                        .setClientAuth(ClientAuth.REQUIRED);
            }
            configuredPort = tls.port();
        }
        server = MqttServer.create(vertx, options);
        server.endpointHandler(this::onEndpoint);
        server.exceptionHandler(e -> LOG.debug("MQTT connection failed before CONNECT: {}", e.toString()));
        EndpointSockets.interceptConnections(server, new SocketAdmission(pendingConnects, metrics, deviceEvents,
                settings.connectTimeout(), settings.maxPacketBytes())::guard);
        // What vertx-mqtt's code throws while handling a frame (it cannot map a code, say) would be an ERROR with a
        // stack trace per frame: one counter and a rate-limited WARN instead; the trace at DEBUG.
        context.exceptionHandler(e -> {
            metrics.count(Counted.CONNECTION_ERRORS);
            deviceEvents.log("Error in the MQTT server", "-", e.toString());
            LOG.debug("Error in the MQTT server", e);
        });
        sweepTimer = vertx.setPeriodic(SESSION_SWEEP_MILLIS, t -> sessions.sweep());
        int port = configuredPort != 0 ? configuredPort : tls == null ? SHARED_RANDOM_PORT : SHARED_RANDOM_TLS_PORT;
        return server.listen(port, settings.host()).onSuccess(s -> actualPort = s.actualPort());
    }

    /** Ends every connection (MQTT 5: DISCONNECT 0x8B server shutting down), then closes the server. */
    @Override
    public Future<?> stop() {
        for (DeviceConnection connection : new ArrayList<>(connections)) {
            connection.shutDown();
        }
        connections.clear();
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
        return server == null ? Future.succeededFuture() : server.close();
    }

    /** Closes every connection of {@code deviceId} (MQTT 5: 0x87). Thread-safe: hops onto this event loop. */
    public void revokeDevice(String deviceId, String reason) {
        forEachConnectionOf(deviceId, connection -> {
            metrics.count(Counted.CONNECTIONS_REVOKED);
            connection.revoke(reason);
        });
    }

    public void configChanged(String deviceId, byte[] config) {
        forEachConnectionOf(deviceId, connection -> connection.configChanged(config));
    }

    /** Runs {@code action} on this event loop for each connection of {@code deviceId}. Thread-safe. */
    private void forEachConnectionOf(String deviceId, Consumer<DeviceConnection> action) {
        if (context != null) {
            context.runOnContext(v -> new ArrayList<>(connections).stream()
                    .filter(connection -> connection.deviceId().equals(deviceId)).forEach(action));
        }
    }

    /** The port this instance listens on, once started; -1 before. */
    public int actualPort() {
        return actualPort;
    }

    private void onEndpoint(MqttEndpoint endpoint) {
        boolean mqtt5 = endpoint.protocolVersion() >= MqttVersion.MQTT_5.protocolLevel();
        if (draining.getAsBoolean()) {
            refuse(endpoint, mqtt5, ConnectRefusal.SERVER_UNAVAILABLE, "gateway shutting down");
            return;
        }
        if (!limiter.tryAcquire()) {
            refuse(endpoint, mqtt5, ConnectRefusal.QUOTA_EXCEEDED, "connection limit of " + limiter.max()
                    + " reached");
            return;
        }
        String certificateDeviceId;
        try {
            certificateDeviceId = tls != null && tls.mutual() ? ClientCertificates.commonName(endpoint.sslSession())
                    : null;
        } catch (RuntimeException e) {
            limiter.release();
            refuse(endpoint, mqtt5, ConnectRefusal.BAD_CREDENTIALS, "unusable client certificate: " + e.getMessage());
            return;
        }
        MqttAuth auth = endpoint.auth();
        ConnectRequest request = new ConnectRequest(endpoint.clientIdentifier(),
                auth == null ? null : auth.getUsername(), auth == null ? null : auth.getPassword(),
                endpoint.protocolVersion(), String.valueOf(endpoint.remoteAddress()), certificateDeviceId);
        boolean[] gone = new boolean[1];
        endpoint.closeHandler(v -> gone[0] = true);
        Context ctx = this.context;
        Future<DeviceIdentity> identity;
        try {
            identity = authenticator.authenticate(request);
        } catch (RuntimeException e) {
            identity = Future.failedFuture(e);
        }
        identity.onComplete(result -> {
            if (Vertx.currentContext() == ctx) {
                onAuthenticated(endpoint, mqtt5, request, result, gone);
            } else {
                ctx.runOnContext(v -> onAuthenticated(endpoint, mqtt5, request, result, gone));
            }
        });
    }

    private void onAuthenticated(MqttEndpoint endpoint, boolean mqtt5, ConnectRequest request,
            AsyncResult<DeviceIdentity> result, boolean[] gone) {
        if (gone[0]) {
            limiter.release();
            return;
        }
        if (result.failed()) {
            limiter.release();
            Throwable cause = result.cause();
            ConnectRefusal refusal = cause instanceof ConnectRefusedException
                    ? ((ConnectRefusedException) cause).refusal()
                    : ConnectRefusal.SERVER_UNAVAILABLE;
            if (!(cause instanceof ConnectRefusedException)) {
                LOG.warn("Authentication failed, refusing CONNECT [client: {}]",
                        io.tributary.common.LogSanitizer.sanitize(request.clientId()), cause);
            }
            refuse(endpoint, mqtt5, refusal, cause.getMessage());
            return;
        }
        if (draining.getAsBoolean()) {
            limiter.release();
            refuse(endpoint, mqtt5, ConnectRefusal.SERVER_UNAVAILABLE, "gateway shutting down");
            return;
        }
        DeviceConnection connection = new DeviceConnection(endpoint, result.result(), settings, sink, validator,
                metrics, deviceEvents, draining, closed -> {
                    sessions.release(closed.deviceId(), closed);
                    if (connections.remove(closed)) {
                        limiter.release();
                    }
                }, configs);
        connections.add(connection);
        try {
            connection.accept();
        } catch (IllegalStateException | IllegalArgumentException e) {
            if (connections.remove(connection)) {
                limiter.release();
            }
            LOG.debug("Connection gone before CONNACK [device: {}]", connection.deviceId(), e);
            return;
        }
        claimSession(connection);
        // packets the device sent right behind its CONNECT go on now that its handlers are in place
        if (EndpointSockets.channelOf(EndpointSockets.socketOf(endpoint)).pipeline()
                .get(ConnectionGuard.NAME) instanceof ConnectionGuard guard) {
            guard.connectAccepted();
        }
    }

    /**
     * Makes {@code connection} its device's only live connection: an older one, on whichever verticle or listener, is
     * ended on its own event loop (MQTT 5: DISCONNECT 0x8E), its connection slot freed when it has closed. Counted
     * and logged (rate-limited) with both addresses, so two devices sharing one id (a cloned SD card) show.
     */
    private void claimSession(DeviceConnection connection) {
        DeviceSessions.Claim<DeviceConnection> claim = sessions.claim(connection.deviceId(), connection);
        connection.useQuota(claim.quota());
        DeviceConnection previous = claim.previous();
        if (previous == null) {
            return;
        }
        metrics.count(Counted.SESSION_TAKEOVERS);
        String newRemote = connection.remoteAddress();
        deviceEvents.log("Session taken over", connection.deviceId(), "connection from " + previous.remoteAddress()
                + " replaced by one from " + newRemote + " (two devices with one id?)");
        previous.context().runOnContext(v -> previous.takeOver(newRemote));
    }

    private void refuse(MqttEndpoint endpoint, boolean mqtt5, ConnectRefusal refusal, String detail) {
        metrics.count(Counted.CONNECTIONS_REFUSED);
        deviceEvents.log("CONNECT refused: " + refusal, String.valueOf(endpoint.clientIdentifier()), detail);
        try {
            endpoint.reject(Connacks.refusalCode(refusal, mqtt5));
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("Connection gone before CONNACK", e);
        }
    }
}
