package io.tributary.simulator.device;

/**
 * A batch as the device publishes it.
 *
 * @param seq       the batch sequence number
 * @param readings  readings in it
 * @param payload   the bytes published: the protobuf batch, or garbage for a malformed-payload anomaly
 * @param malformed the payload is deliberately not a batch: the gateway must refuse it (0x99)
 * @param duplicated to be published twice (duplicate-publish anomaly): storage must hold it once
 * @param copy      a deliberate second publish of the same batch (duplicate-publish and replay anomalies)
 * @param skipped   sequence numbers skipped right before this one (seq-gap anomaly): never sent
 * @param replay    acknowledged batches to send again after this one (replay anomaly)
 * @param clockSkewNanos how far the device's clock was off when it made this batch (clock-skew anomaly)
 */
public record OutgoingBatch(long seq, int readings, byte[] payload, boolean malformed, boolean duplicated,
        boolean copy, int skipped, int replay, long clockSkewNanos) {

    /** The same batch published once more. */
    public OutgoingBatch asCopy() {
        return new OutgoingBatch(seq, readings, payload, malformed, duplicated, true, 0, 0, clockSkewNanos);
    }
}
