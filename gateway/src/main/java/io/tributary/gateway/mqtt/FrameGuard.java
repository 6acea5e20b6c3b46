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
 *   <li>The MQTT 5 CONNECT properties, on the raw bytes: a property other than User Property given twice, Receive
 *       Maximum 0, Maximum Packet Size 0, Request Problem/Response Information other than 0 or 1 are a Protocol
 *       Error (MQTT 5 section 3.1.2.11). Netty's decoder keeps only one value of a repeated property and checks no
 *       values, so this is the only place that can tell. Answered CONNACK 0x82, counted ({@code malformed-packet}),
 *       closed. Once per connection: the CONNECT's head (at most its variable header) is copied as it passes.</li>
 * </ul>
 *
 * <p>A first packet that is not a CONNECT is counted ({@code malformed-packet}) and closed at once, whatever length
 * it declares. A remaining length the decoder cannot read (five length bytes) is left to the decoder, which refuses it; this
 * handler then stops following the stream. Runs on the connection's event loop only.
 */
final class FrameGuard extends ChannelInboundHandlerAdapter {

    /** The pipeline name of this handler, right before vertx-mqtt's decoder. */
    static final String NAME = "tributary-frame-guard";

    /** How long a connection that sent a too large packet after CONNECT may wait for its DISCONNECT at most. */
    static final Duration LATE_CLOSE = Duration.ofSeconds(2);

    private static final int CONNECT = 1;
    private static final int MQTT_5 = 5;
    private static final int USER_PROPERTY = 0x26;
    private static final int RECEIVE_MAXIMUM = 0x21;
    private static final int MAXIMUM_PACKET_SIZE = 0x27;
    private static final int REQUEST_PROBLEM_INFORMATION = 0x17;
    private static final int REQUEST_RESPONSE_INFORMATION = 0x19;
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
    /** Body bytes of the current packet still to come. */
    private long bodyLeft;
    /** Whether the current packet is the connection's first. */
    private boolean firstPacket = true;
    /** The decoder refuses what comes next; nothing more to follow. */
    private boolean stopped;
    private boolean refused;
    /** The first packet's head while it is a CONNECT not yet checked; null otherwise. */
    private ByteBuf connectHead;
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
                if (connectHead != null) {
                    copyConnectHead(buffer, index, take);
                }
                index += take;
                bodyLeft -= take;
                if (connectHead != null) {
                    String problem = connectProblem(bodyLeft == 0);
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
                connectHead = ctx.alloc().heapBuffer(Math.min(remainingLength, 256));
            }
            if (bodyLeft == 0) {
                firstPacket = false;
            }
        }
        ctx.fireChannelRead(buffer);
    }

    /** Copies what the check still needs: each piece read may tell how much more it needs (lengths inside). */
    private void copyConnectHead(ByteBuf buffer, int index, int length) {
        int room = connectHeadLength() - connectHead.readableBytes();
        while (room > 0 && length > 0) {
            int copy = Math.min(room, length);
            connectHead.writeBytes(buffer, index, copy);
            index += copy;
            length -= copy;
            room = connectHeadLength() - connectHead.readableBytes();
        }
    }

    /**
     * How many bytes of the CONNECT body the check needs: through the end of its properties once their length is
     * known, the whole body at most.
     */
    private int connectHeadLength() {
        int have = connectHead.readableBytes();
        int needed = 2;
        if (have >= 2) {
            needed = 2 + connectHead.getUnsignedShort(0) + 4; // protocol name, level, flags, keep alive
            if (have >= needed) {
                int[] length = propertyLength(needed);
                long withProperties = length == null ? needed + 4L : (long) needed + length[1] + length[0];
                return (int) Math.min(withProperties, remainingLength);
            }
        }
        return Math.min(needed, remainingLength);
    }

    /** {@code [value, bytes]} of the variable byte integer at {@code at} in the CONNECT head; null if not all in. */
    private int[] propertyLength(int at) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            if (at + i >= connectHead.readableBytes()) {
                return null;
            }
            int b = connectHead.getUnsignedByte(at + i);
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return new int[] {value, i + 1};
            }
        }
        return new int[] {Integer.MAX_VALUE, 4}; // malformed: the decoder refuses it
    }

    /**
     * Checks the CONNECT head once it holds all the check needs (or the packet ended); returns the problem, or null
     * (then the head is dropped: checked once).
     */
    private String connectProblem(boolean packetEnded) {
        int have = connectHead.readableBytes();
        if (have < connectHeadLength() && !packetEnded) {
            return null; // more to come
        }
        try {
            if (have < 2) {
                return null;
            }
            int levelAt = 2 + connectHead.getUnsignedShort(0);
            if (have < levelAt + 4 || connectHead.getUnsignedByte(levelAt) != MQTT_5) {
                return null; // not MQTT 5 or cut short: the decoder answers
            }
            int[] length = propertyLength(levelAt + 4);
            if (length == null || length[0] == Integer.MAX_VALUE) {
                return null;
            }
            int at = levelAt + 4 + length[1];
            int endOfProperties = at + length[0];
            if (endOfProperties > have) {
                return null; // properties beyond the packet: the decoder refuses it
            }
            return propertyProblem(at, endOfProperties);
        } finally {
            connectHead.release();
            connectHead = null;
        }
    }

    private String propertyProblem(int at, int end) {
        long seen = 0; // property ids 0x01..0x2A as bits
        while (at < end) {
            int id = connectHead.getUnsignedByte(at++);
            if (id == 0 || id > 0x2A) {
                return null; // unknown: the decoder refuses it
            }
            if (id != USER_PROPERTY && (seen & (1L << id)) != 0) {
                return String.format("property 0x%02X given twice", id);
            }
            seen |= 1L << id;
            int size = valueSize(id, at, end);
            if (size < 0 || at + size > end) {
                return null; // cut short or unknown: the decoder refuses it
            }
            if (id == RECEIVE_MAXIMUM && connectHead.getUnsignedShort(at) == 0) {
                return "Receive Maximum 0";
            }
            if (id == MAXIMUM_PACKET_SIZE && connectHead.getInt(at) == 0) {
                return "Maximum Packet Size 0";
            }
            if ((id == REQUEST_PROBLEM_INFORMATION || id == REQUEST_RESPONSE_INFORMATION)
                    && connectHead.getUnsignedByte(at) > 1) {
                return String.format("property 0x%02X of %d (0 or 1 only)", id, connectHead.getUnsignedByte(at));
            }
            at += size;
        }
        return null;
    }

    /** The size of property {@code id}'s value starting at {@code at}; -1 when unknown or not all there. */
    private int valueSize(int id, int at, int end) {
        switch (id) {
            case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2A:
                return 1;
            case 0x13: case 0x21: case 0x22: case 0x23:
                return 2;
            case 0x02: case 0x11: case 0x18: case 0x27:
                return 4;
            case 0x0B: {
                int[] value = propertyLength(at);
                return value == null || value[0] == Integer.MAX_VALUE ? -1 : value[1];
            }
            case 0x03: case 0x08: case 0x09: case 0x12: case 0x15: case 0x16: case 0x1A: case 0x1C: case 0x1F:
                return at + 2 <= end ? 2 + connectHead.getUnsignedShort(at) : -1;
            case USER_PROPERTY: {
                if (at + 2 > end) {
                    return -1;
                }
                int key = 2 + connectHead.getUnsignedShort(at);
                return at + key + 2 <= end ? key + 2 + connectHead.getUnsignedShort(at + key) : -1;
            }
            default:
                return -1;
        }
    }

    /** The first packet must be CONNECT: whatever it declares to be, nothing of it is read (nor waited for). */
    private void notConnect(ChannelHandlerContext ctx, ByteBuf buffer, int type) {
        refused = true;
        buffer.release();
        metrics.rejected(RejectReason.MALFORMED_PACKET);
        deviceEvents.log("Connection ended: " + RejectReason.MALFORMED_PACKET.code(), remote,
                "first packet is of type " + type + ", not CONNECT");
        closeNow(ctx);
    }

    private void refuseConnect(ChannelHandlerContext ctx, String problem) {
        refused = true;
        metrics.rejected(RejectReason.MALFORMED_PACKET);
        deviceEvents.log("CONNECT refused: protocol error", remote, problem);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(CONNACK_PROTOCOL_ERROR)).addListener(f -> ctx.close());
    }

    /**
     * A packet above the Maximum Packet Size starts at {@code packetStart} of {@code buffer}: the packets before it go
     * on, it and all after it are dropped.
     */
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
            closeNow(ctx);
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
                closeNow(ctx);
            }
        }, LATE_CLOSE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Closes with a reset: the client may still be sending its packet, nothing of it is wanted. */
    private static void closeNow(ChannelHandlerContext ctx) {
        closeAtOnce(ctx.channel());
    }

    /**
     * Closes {@code channel} at once, with a reset, reading nothing more: for a connection that is cut off. Not with
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
        if (connectHead != null) {
            connectHead.release();
            connectHead = null;
        }
    }
}
