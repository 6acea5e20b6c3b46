package io.tributary.simulator.device;

/**
 * A batch as the device publishes it.
 *
 * @param seq       the batch sequence number
 * @param readings  readings in it
 * @param payload   the bytes published: the protobuf batch, or garbage for a malformed-payload anomaly
 * @param malformed the payload is deliberately not a batch: the gateway must refuse it (0x99)
 * @param duplicated to be published twice (duplicate-publish anomaly): storage must hold it once
 * @param copy      a deliberate second publish of the same batch (duplicate-publish anomaly)
 */
public record OutgoingBatch(long seq, int readings, byte[] payload, boolean malformed, boolean duplicated,
        boolean copy) {

    /** The same batch published once more. */
    public OutgoingBatch asCopy() {
        return new OutgoingBatch(seq, readings, payload, malformed, duplicated, true);
    }
}
