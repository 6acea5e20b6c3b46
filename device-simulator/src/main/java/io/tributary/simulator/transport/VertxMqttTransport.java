package io.tributary.simulator.transport;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Non-blocking MQTT 5 connections for large fleets: every device has its own TCP connection, and all of them share a
 * few Vert.x event loops — thousands of devices cost no threads. Owns its Vert.x instance: close it after the fleet.
 */
public final class VertxMqttTransport implements DeviceLinkFactory, AutoCloseable {

    static final int KEEP_ALIVE_SECONDS = 60;

    final Vertx vertx;
    final NetClient client;
    final String host;
    final int port;
    private final Function<String, byte[]> passwords;

    /**
     * @param serverUri {@code tcp://host:port}
     * @param passwords the password of each device id (null for none)
     */
    public VertxMqttTransport(String serverUri, Function<String, byte[]> passwords) {
        URI uri = URI.create(serverUri);
        if (!"tcp".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("this transport speaks plain MQTT: expected tcp://host:port, got "
                    + serverUri);
        }
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : 1883;
        this.passwords = Objects.requireNonNull(passwords, "passwords");
        // One event loop per two cores, as in the gateway: the fleet shares its box with the pipeline it drives,
        // and each loop wakes separately for its devices' timers and acknowledgements.
        this.vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(Math.max(1,
                Runtime.getRuntime().availableProcessors() / 2)));
        this.client = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout(10_000)
                .setTcpNoDelay(true)
                .setReuseAddress(true));
    }

    @Override
    public DeviceLink create(String deviceId) {
        return new VertxMqttLink(this, deviceId, passwords.apply(deviceId));
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Closing is best effort: the fleet is finished either way.
            Thread.currentThread().interrupt();
        }
    }
}
