package io.tributary.gateway.mqtt;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.GatewayMetrics.Level;
import io.tributary.gateway.RejectReason;
import io.vertx.mqtt.messages.codes.MqttAuthenticateReasonCode;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubCompReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRecReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRelReasonCode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Netty handler right behind the MQTT decoder of every connection, in front of vertx-mqtt's own handling. It makes
 * hostile input cheap: what vertx-mqtt would turn into an ERROR line (a packet before CONNECT, an undecodable first
 * packet, a reason code it cannot map, a packet type a client may not send), each with a stack trace for some, it
 * answers itself with one counter, one rate-limited WARN and a closed connection.
 *
 * <p>It also holds the connection's pending-CONNECT slot from {@link #start} until CONNECT arrives or the connection
 * ends, and closes a connection that has not sent CONNECT within the connect timeout counted from the TCP (after TLS)
 * connection: vertx-mqtt's own timeout waits for the connection to be <em>idle</em> that long, so a client that sends a
 * byte now and then would never be timed out by it.
 *
 * <p>Undecodable packets after CONNECT go on to {@code DeviceConnection}, which answers them in order with its queued
 * acknowledgements (MQTT 5: DISCONNECT 0x81 or 0x95). Runs on the connection's event loop only.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {

    static final String NAME = "tributary-connection-guard";

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final ConnectionLimiter pendingConnects;
    private final GatewayMetrics metrics;
    private final RateLimitedLog deviceEvents;
    private final Duration connectTimeout;
    private final String remote;
    /** The key of the pending-CONNECT slot held ({@link ConnectionLimiter#tryAcquire(String)}). */
    private final String addressKey;

    private boolean pendingSlotHeld;
    private boolean connectSeen;
    private boolean mqtt5;
    private boolean refused;
    private ScheduledFuture<?> deadline;
    /** CONNECT went on, its CONNACK is not out yet (the authenticator decides asynchronously). */
    private boolean awaitingAnswer;
    /** Packets sent right behind the CONNECT, held until it is accepted; reading is off meanwhile. */
    private final ArrayDeque<Object> heldUntilAccepted = new ArrayDeque<>();
    private ChannelHandlerContext context;

    /** @param pendingConnects one slot is already taken for this connection (with {@code addressKey}), released here */
    ConnectionGuard(ConnectionLimiter pendingConnects, GatewayMetrics metrics, RateLimitedLog deviceEvents,
            Duration connectTimeout, String remote, String addressKey) {
        this.addressKey = addressKey;
        this.pendingConnects = pendingConnects;
        this.metrics = metrics;
        this.deviceEvents = deviceEvents;
        this.connectTimeout = connectTimeout;
        this.remote = remote;
        this.pendingSlotHeld = true;
        metrics.add(Level.PENDING_CONNECTS, 1);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        deadline = ctx.executor().schedule(() -> connectTimedOut(ctx), connectTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        if (!ctx.channel().isActive()) {
            endPending();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof MqttMessage)) {
            ctx.fireChannelRead(msg);
            return;
        }
        MqttMessage message = (MqttMessage) msg;
        DecoderResult result = message.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (connectSeen && cause instanceof io.netty.handler.codec.DecoderException) {
                pass(ctx, msg); // DeviceConnection answers it in order with the queued acknowledgements
                return;
            }
            if (cause instanceof MqttUnacceptableProtocolVersionException) {
                // vertx-mqtt answers CONNACK "unacceptable protocol version" and closes: a clear answer, let it.
                connectSeen = true;
                endPending();
                metrics.count(Counted.CONNECTIONS_REFUSED);
                deviceEvents.log("CONNECT refused: unacceptable protocol version", remote, String.valueOf(
                        cause.getMessage()));
                ctx.fireChannelRead(msg);
                return;
            }
            ReferenceCountUtil.release(msg);
            refuse(ctx, cause instanceof TooLongFrameException ? RejectReason.PACKET_TOO_LARGE
                    : RejectReason.MALFORMED_PACKET, "undecodable packet" + (connectSeen ? "" : " before CONNECT")
                    + ": " + cause.getMessage());
            return;
        }
        MqttMessageType type = message.fixedHeader().messageType();
        if (!connectSeen) {
            if (type != MqttMessageType.CONNECT) {
                ReferenceCountUtil.release(msg);
                refuse(ctx, RejectReason.MALFORMED_PACKET, "first packet is " + type + ", not CONNECT");
                return;
            }
            connectSeen = true;
            mqtt5 = ((MqttConnectMessage) message).variableHeader().version() >= MqttVersion.MQTT_5.protocolLevel();
            endPending();
            awaitingAnswer = true;
            ctx.fireChannelRead(msg);
            return;
        }
        String problem = problemAfterConnect(message, type);
        if (problem != null) {
            ReferenceCountUtil.release(msg);
            refuse(ctx, RejectReason.MALFORMED_PACKET, problem);
            return;
        }
        pass(ctx, msg);
    }

    /**
     * Hands a packet after CONNECT on, or holds it while the CONNECT is not answered yet: a client may send packets
     * right behind its CONNECT without waiting for CONNACK (MQTT 3.1.1 section 3.1.4, MQTT 5 section 3.1.4), but
     * vertx-mqtt throws on a packet before its endpoint is accepted and drops the connection. Held packets are at most
     * what one read brought: reading stops at the first one held.
     */
    private void pass(ChannelHandlerContext ctx, Object msg) {
        if (!awaitingAnswer) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (heldUntilAccepted.isEmpty()) {
            ctx.channel().config().setAutoRead(false);
        }
        heldUntilAccepted.add(msg);
    }

    /** The CONNECT was accepted (CONNACK is out): held packets go on, reading resumes. On the event loop. */
    void connectAccepted() {
        if (!awaitingAnswer) {
            return;
        }
        awaitingAnswer = false;
        if (heldUntilAccepted.isEmpty() || context == null) {
            return;
        }
        // first reading on (a pause the endpoint's handlers make while the held packets go on must win), then them
        context.channel().config().setAutoRead(true);
        while (!heldUntilAccepted.isEmpty() && !refused) {
            context.fireChannelRead(heldUntilAccepted.poll());
        }
        releaseHeld();
        // Vert.x hands what it read on (and flushes the answers) at the end of a read: this was one
        context.fireChannelReadComplete();
    }

    private void releaseHeld() {
        while (!heldUntilAccepted.isEmpty()) {
            ReferenceCountUtil.release(heldUntilAccepted.poll());
        }
    }

    /**
     * What vertx-mqtt would throw on (a stack trace at ERROR each, the connection left open) or fire past its own
     * handler to the end of the pipeline (a Netty WARN with a stack trace): packet types a client never sends, reason
     * codes that vertx-mqtt cannot map.
     */
    private static String problemAfterConnect(MqttMessage message, MqttMessageType type) {
        try {
            Object header = message.variableHeader();
            switch (type) {
                // a second CONNECT: vertx-mqtt closes the connection, quietly
                case CONNECT, PUBLISH, SUBSCRIBE, UNSUBSCRIBE, PINGREQ -> { }
                case PUBACK -> {
                    if (header instanceof MqttPubReplyMessageVariableHeader reply) {
                        MqttPubAckReasonCode.valueOf(reply.reasonCode());
                    }
                }
                case PUBREC -> MqttPubRecReasonCode.valueOf(((MqttPubReplyMessageVariableHeader) header).reasonCode());
                case PUBREL -> MqttPubRelReasonCode.valueOf(((MqttPubReplyMessageVariableHeader) header).reasonCode());
                case PUBCOMP -> MqttPubCompReasonCode.valueOf(((MqttPubReplyMessageVariableHeader) header)
                        .reasonCode());
                case DISCONNECT -> MqttDisconnectReasonCode.valueOf(((MqttReasonCodeAndPropertiesVariableHeader) header)
                        .reasonCode());
                case AUTH -> MqttAuthenticateReasonCode.valueOf(((MqttReasonCodeAndPropertiesVariableHeader) header)
                        .reasonCode());
                default -> {
                    return "a client may not send " + type;
                }
            }
            return null;
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            return type + " not usable: " + e.getMessage();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (connectSeen) {
            ctx.fireExceptionCaught(cause); // the endpoint's handler takes it (DeviceConnection.onException)
            return;
        }
        if (cause instanceof TooLongFrameException) {
            // FrameGuard: a packet after a CONNECT that the decoder has not turned into one (it was malformed)
            refuse(ctx, RejectReason.PACKET_TOO_LARGE, cause.getMessage());
            return;
        }
        // Before CONNECT nobody listens: vertx would log it at ERROR. A reset connection is no news at all.
        if (!(cause instanceof IOException)) {
            metrics.count(Counted.CONNECTION_ERRORS);
            deviceEvents.log("Connection error before CONNECT", remote, cause.toString());
        } else {
            LOG.debug("Connection error before CONNECT [remote: {}]: {}", remote, cause.toString());
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        endPending();
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        endPending();
        releaseHeld();
    }

    private void connectTimedOut(ChannelHandlerContext ctx) {
        if (connectSeen || !ctx.channel().isActive()) {
            return;
        }
        metrics.count(Counted.CONNECT_TIMEOUTS);
        deviceEvents.log("Connection closed: no CONNECT in time", remote, "no CONNECT within "
                + connectTimeout.toMillis() + " ms of connecting");
        endPending();
        ctx.close();
    }

    /** Counts, logs (rate-limited), answers an MQTT 5 client with DISCONNECT 0x81/0x95 and closes. */
    private void refuse(ChannelHandlerContext ctx, RejectReason reason, String detail) {
        refused = true;
        metrics.rejected(reason);
        deviceEvents.log("Connection ended: " + reason.code(), remote, detail);
        endPending();
        if (connectSeen && mqtt5) {
            byte code = reason == RejectReason.PACKET_TOO_LARGE ? MqttDisconnectReasonCode.PACKET_TOO_LARGE.value()
                    : MqttDisconnectReasonCode.MALFORMED_PACKET.value();
            ctx.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode(code).build())
                    .addListener(f -> ctx.close());
        } else {
            ctx.close();
        }
    }

    /** Gives the pending-CONNECT slot back when the guard could not be installed. Idempotent. */
    void abandon() {
        endPending();
    }

    private void endPending() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        if (pendingSlotHeld) {
            pendingSlotHeld = false;
            pendingConnects.release(addressKey);
            metrics.add(Level.PENDING_CONNECTS, -1);
        }
    }
}
