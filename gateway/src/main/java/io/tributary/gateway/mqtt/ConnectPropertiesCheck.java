package io.tributary.gateway.mqtt;

import io.netty.buffer.ByteBuf;

/**
 * The MQTT 5 CONNECT property check of {@link FrameGuard}, on the raw bytes: a property other than User Property given
 * twice, Receive Maximum 0, Maximum Packet Size 0, Request Problem/Response Information other than 0 or 1 are a
 * Protocol Error (MQTT 5 section 3.1.2.11), which Netty's decoder does not see (it keeps one value of a repeated
 * property and checks no values). Copies the CONNECT's head (at most its variable header) as it passes, checks it
 * once, then releases it. Not thread-safe: the connection's event loop only.
 */
final class ConnectPropertiesCheck {

    private static final int MQTT_5 = 5;
    private static final int USER_PROPERTY = 0x26;
    private static final int RECEIVE_MAXIMUM = 0x21;
    private static final int MAXIMUM_PACKET_SIZE = 0x27;
    private static final int REQUEST_PROBLEM_INFORMATION = 0x17;
    private static final int REQUEST_RESPONSE_INFORMATION = 0x19;

    /** The CONNECT's head copied so far; null once checked (or released). */
    private ByteBuf connectHead;
    private final int remainingLength;

    /** @param head an empty buffer this check owns and releases */
    ConnectPropertiesCheck(ByteBuf head, int remainingLength) {
        this.connectHead = head;
        this.remainingLength = remainingLength;
    }

    boolean done() {
        return connectHead == null;
    }

    void release() {
        if (connectHead != null) {
            connectHead.release();
            connectHead = null;
        }
    }

    /** Copies what the check still needs: each piece read may tell how much more it needs (lengths inside). */
    void copy(ByteBuf buffer, int index, int length) {
        int room = connectHeadLength() - connectHead.readableBytes();
        while (room > 0 && length > 0) {
            int copy = Math.min(room, length);
            connectHead.writeBytes(buffer, index, copy);
            index += copy;
            length -= copy;
            room = connectHeadLength() - connectHead.readableBytes();
        }
    }

    /** The CONNECT body bytes needed: through its properties once their length is known, the whole body at most. */
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

    /** Checks the head once it holds what is needed (or the packet ended): the problem, or null; checks once. */
    String problem(boolean packetEnded) {
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
            release();
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
        return switch (id) {
            case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> 1;
            case 0x13, 0x21, 0x22, 0x23 -> 2;
            case 0x02, 0x11, 0x18, 0x27 -> 4;
            case 0x0B -> {
                int[] value = propertyLength(at);
                yield value == null || value[0] == Integer.MAX_VALUE ? -1 : value[1];
            }
            case 0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1A, 0x1C, 0x1F ->
                    at + 2 <= end ? 2 + connectHead.getUnsignedShort(at) : -1;
            case USER_PROPERTY -> {
                if (at + 2 > end) {
                    yield -1;
                }
                int key = 2 + connectHead.getUnsignedShort(at);
                yield at + key + 2 <= end ? key + 2 + connectHead.getUnsignedShort(at + key) : -1;
            }
            default -> -1;
        };
    }
}
