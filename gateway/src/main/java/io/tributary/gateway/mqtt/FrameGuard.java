package io.tributary.gateway.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.RejectReason;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Netty handler in front of the MQTT decoder of every connection: it follows the packet boundaries of the raw byte
 * stream (only the fixed headers are read, the bodies are counted past) and checks what the decoder checks too late
 * or not at all.
 *
 * <ul>
 *   <li>The remaining length of every packet against the Maximum Packet Size, as soon as the fixed header is in.
 *       Netty's decoder compares it only after the variable header has arrived, so a client declaring 200 MB and then
 *       sending a few bytes would hold the connection (and a CONNECT declaring 256 MB would never be refused). Too
 *       large as the first packet: counted ({@code packet-too-large}) and closed at once. Later: handed on as a
 *       {@link TooLongFrameException}, which {@code DeviceConnection} answers in order (MQTT 5: DISCONNECT 0x95),
 *       and closed after {@link #LATE_CLOSE} whatever happens to that answer. Nothing more is read from it.</li>
 *   <li>The MQTT 5 CONNECT properties ({@link ConnectPropertiesCheck}): a Protocol Error is answered CONNACK 0x82,
 *       counted ({@code malformed-packet}) and closed.</li>
 * </ul>
 *
 * <p>A first packet that is not a CONNECT is counted ({@code malformed-packet}) and closed at once, whatever length
 * it declares. A remaining length the decoder cannot read (five length bytes) is left to the decoder, which refuses
 * it; this handler then stops following the stream. Runs on the connection's event loop only.
 */
final class FrameGuard extends ChannelInboundHandlerAdapter {

    static final String NAME = "tributary-frame-guard";

    /** How long a connection that sent a too large packet after CONNECT may wait for its DISCONNECT at most. */
    static final Duration LATE_CLOSE = Duration.ofSeconds(2);

    private static final int CONNECT = 1;
    /** MQTT 5 CONNACK: session not present, reason 0x82 protocol error, no properties. */
    private static final byte[] CONNACK_PROTOCOL_ERROR = {0x20, 0x03, 0x00, (byte) 0x82, 0x00};

    private final int maxRemainingLength;
    private final GatewayMetrics metrics;
    private final RateLimitedLog deviceEvents;
    private final String remote;

    /** Bytes of the current fixed header read so far; 0 at a packet boundary. */
    private int headerBytes;
    private int firstByte;
    private int remainingLength;
    private long bodyLeft;
    private boolean firstPacket = true;
    /** The decoder refuses what comes next; nothing more to follow. */
    private boolean stopped;
    private boolean refused;
    /** The check of the first packet while it is a CONNECT not yet checked; null otherwise. */
    private ConnectPropertiesCheck connectCheck;
    private ScheduledFuture<?> lateClose;

    FrameGuard(int maxPacketBytes, GatewayMetrics metrics, RateLimitedLog deviceEvents, String remote) {
        this.maxRemainingLength = maxPacketBytes;
        this.metrics = metrics;
        this.deviceEvents = deviceEvents;
        this.remote = remote;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (stopped || !(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf buffer = (ByteBuf) msg;
        int start = buffer.readerIndex();
        int end = buffer.writerIndex();
        int index = start;
        int packetStart = start;
        while (index < end && !stopped) {
            if (bodyLeft > 0) {
                int take = (int) Math.min(bodyLeft, end - index);
                if (connectCheck != null) {
                    connectCheck.copy(buffer, index, take);
                }
                index += take;
                bodyLeft -= take;
                if (connectCheck != null) {
                    String problem = connectCheck.problem(bodyLeft == 0);
                    if (connectCheck.done()) {
                        connectCheck = null;
                    }
                    if (problem != null) {
                        buffer.release();
                        refuseConnect(ctx, problem);
                        return;
                    }
                }
                if (bodyLeft == 0) {
                    firstPacket = false;
                }
                continue;
            }
            int b = buffer.getUnsignedByte(index++);
            if (headerBytes == 0) {
                packetStart = index - 1;
                if (firstPacket && (b >> 4) != CONNECT) {
                    notConnect(ctx, buffer, b >> 4);
                    return;
                }
                firstByte = b;
                remainingLength = 0;
                headerBytes = 1;
                continue;
            }
            remainingLength |= (b & 0x7F) << (7 * (headerBytes - 1));
            headerBytes++;
            if ((b & 0x80) != 0) {
                if (headerBytes > 4) {
                    stopped = true; // five length bytes: malformed, the decoder refuses it
                }
                continue;
            }
            headerBytes = 0;
            if (remainingLength > maxRemainingLength) {
                tooLarge(ctx, buffer, start, packetStart);
                return;
            }
            bodyLeft = remainingLength;
            if (firstPacket && (firstByte >> 4) == CONNECT && remainingLength > 0) {
                connectCheck = new ConnectPropertiesCheck(ctx.alloc().heapBuffer(Math.min(remainingLength, 256)),
                        remainingLength);
            }
            if (bodyLeft == 0) {
                firstPacket = false;
            }
        }
        ctx.fireChannelRead(buffer);
    }

    /** The first packet must be CONNECT: whatever it declares to be, nothing of it is read (nor waited for). */
    private void notConnect(ChannelHandlerContext ctx, ByteBuf buffer, int type) {
        refused = true;
        buffer.release();
        metrics.rejected(RejectReason.MALFORMED_PACKET);
        deviceEvents.log("Connection ended: " + RejectReason.MALFORMED_PACKET.code(), remote,
                "first packet is of type " + type + ", not CONNECT");
        closeAtOnce(ctx.channel());
    }

    private void refuseConnect(ChannelHandlerContext ctx, String problem) {
        refused = true;
        metrics.rejected(RejectReason.MALFORMED_PACKET);
        deviceEvents.log("CONNECT refused: protocol error", remote, problem);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(CONNACK_PROTOCOL_ERROR)).addListener(f -> ctx.close());
    }

    /** A packet above the Maximum Packet Size starts at {@code packetStart}: those before go on, the rest is not. */
    private void tooLarge(ChannelHandlerContext ctx, ByteBuf buffer, int start, int packetStart) {
        refused = true;
        releaseConnectHead();
        ctx.channel().config().setAutoRead(false);
        String detail = "packet of " + remainingLength + " bytes declared, the maximum is " + maxRemainingLength;
        if (firstPacket) {
            buffer.release();
            metrics.rejected(RejectReason.PACKET_TOO_LARGE);
            deviceEvents.log("Connection ended: " + RejectReason.PACKET_TOO_LARGE.code(), remote,
                    detail + " (first packet)");
            closeAtOnce(ctx.channel());
            return;
        }
        if (packetStart > start) {
            ctx.fireChannelRead(buffer.retainedSlice(start, packetStart - start));
        }
        buffer.release();
        // DeviceConnection counts it and answers it in order with its queued acknowledgements, then closes
        ctx.fireExceptionCaught(new TooLongFrameException(detail));
        lateClose = ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                closeAtOnce(ctx.channel());
            }
        }, LATE_CLOSE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Closes {@code channel} at once, with a reset, reading nothing more: for a connection that is cut off (the client
     * may still be sending a packet nobody wants). Not with
     * {@code channel.close()}: that passes Vert.x's handler at the end of the pipeline, which closes only after all
     * queued writes are flushed (Vert.x 5 {@code VertxConnection.writeClose}), and on a socket its client does not
     * read that flush never ends. The close starts at the head of the pipeline instead (TLS: no close_notify).
     */
    static void closeAtOnce(io.netty.channel.Channel channel) {
        channel.config().setAutoRead(false);
        try {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException e) {
            // not a TCP socket (a test's embedded channel): a close without reset then
        }
        ChannelHandlerContext first = channel.pipeline().firstContext();
        if (first != null) {
            first.close();
        } else {
            channel.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseConnectHead();
        if (lateClose != null) {
            lateClose.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseConnectHead();
    }

    private void releaseConnectHead() {
        if (connectCheck != null) {
            connectCheck.release();
            connectCheck = null;
        }
    }
}
