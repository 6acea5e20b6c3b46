package io.tributary.gateway.mqtt;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.auth.LoginThrottle;
import io.vertx.core.Handler;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission of new TCP connections before their CONNECT: the limits of connections without CONNECT (in all and
 * per address), and the handlers that watch such a connection ({@link ConnectionGuard}: CONNECT deadline;
 * {@link FrameGuard}: packet sizes and CONNECT properties on the raw bytes). Runs on the accepting event loop.
 */
record SocketAdmission(ConnectionLimiter pendingConnects, GatewayMetrics metrics, RateLimitedLog deviceEvents,
        Duration connectTimeout, int maxPacketBytes) {

    private static final Logger LOG = LoggerFactory.getLogger(SocketAdmission.class);

    /** Each new connection takes a pending-CONNECT slot (or is closed at once), then gets a {@link ConnectionGuard}. */
    Handler<NetSocket> guard(Handler<NetSocket> mqttHandler) {
        return socket -> {
            String remote = String.valueOf(socket.remoteAddress());
            String addressKey = socket.remoteAddress() == null ? "?" : LoginThrottle.sourceKey(
                    socket.remoteAddress().hostAddress() + ":" + socket.remoteAddress().port());
            ConnectionLimiter.Outcome pending = pendingConnects.tryAcquire(addressKey);
            if (pending == ConnectionLimiter.Outcome.LIMIT_REACHED) {
                metrics.count(Counted.PENDING_CONNECTS_REFUSED);
                deviceEvents.log("Connection refused: too many without CONNECT", remote,
                        pendingConnects.max() + " connections have not sent CONNECT yet");
                socket.close();
                return;
            }
            if (pending == ConnectionLimiter.Outcome.KEY_LIMIT_REACHED) {
                // one address holding many connections without CONNECT: refused without taking from others
                metrics.count(Counted.PENDING_CONNECTS_REFUSED_PER_ADDRESS);
                deviceEvents.log("Connection refused: too many without CONNECT from one address", remote,
                        pendingConnects.maxPerKey() + " connections from " + addressKey + " have not sent CONNECT yet");
                socket.close();
                return;
            }
            ConnectionGuard guard = new ConnectionGuard(pendingConnects, metrics, deviceEvents,
                    connectTimeout, remote, addressKey);
            try {
                mqttHandler.handle(socket);
                ChannelPipeline pipeline = EndpointSockets.channelOf(socket).pipeline();
                pipeline.addAfter(EndpointSockets.DECODER_NAME, ConnectionGuard.NAME, guard);
                // packet sizes from the fixed header, MQTT 5 CONNECT properties on the raw bytes (see FrameGuard)
                pipeline.addBefore(EndpointSockets.DECODER_NAME, FrameGuard.NAME, new FrameGuard(
                        maxPacketBytes, metrics, deviceEvents, String.valueOf(socket.remoteAddress())));
                // vertx-mqtt's CONNECT timeout is an idle timeout (a byte now and then defeats it); the guard's
                // deadline replaces it. The names stay: vertx-mqtt removes both handlers by name at CONNECT.
                pipeline.replace(EndpointSockets.IDLE_NAME, EndpointSockets.IDLE_NAME,
                        new ChannelInboundHandlerAdapter());
                pipeline.replace(EndpointSockets.CONNECT_TIMEOUT_NAME, EndpointSockets.CONNECT_TIMEOUT_NAME,
                        new ChannelInboundHandlerAdapter());
            } catch (RuntimeException e) {
                LOG.warn("Could not guard a new connection, closing it", e);
                socket.close();
                guard.abandon();
            }
        };
    }
}
