package io.tributary.processor.alert;

import java.nio.ByteBuffer;

/**
 * Where one rule stands for one device (and sensor): what the state store keeps. Pure data with a compact encoding.
 *
 * @param phase OK (absent from the store), PENDING (breached, waiting for {@code for}) or FIRING
 * @param sinceNanos event time the breach started (PENDING) or the alert fired (FIRING)
 * @param lastEventNanos event time of the latest reading evaluated (older readings are ignored)
 */
public record AlertStatus(Phase phase, long sinceNanos, long lastEventNanos) {

    public enum Phase { OK, PENDING, FIRING }

    public static final AlertStatus OK = new AlertStatus(Phase.OK, 0, Long.MIN_VALUE);

    public byte[] toBytes() {
        return ByteBuffer.allocate(17).put((byte) phase.ordinal()).putLong(sinceNanos).putLong(lastEventNanos).array();
    }

    public static AlertStatus fromBytes(byte[] bytes) {
        if (bytes == null) {
            return OK;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        return new AlertStatus(Phase.values()[buf.get()], buf.getLong(), buf.getLong());
    }
}
