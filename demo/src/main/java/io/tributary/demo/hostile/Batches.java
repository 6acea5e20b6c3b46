package io.tributary.demo.hostile;

import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Telemetry batches as an attacker builds them: valid ones, and ones that break one rule of the input contract. */
final class Batches {

    private static final AtomicLong SEQ = new AtomicLong();
    /** Event times of valid readings: unique per device and sensor, each a microsecond after the last. */
    private static final AtomicLong LAST_NANOS = new AtomicLong();

    private Batches() {
    }

    static long nowNanos() {
        Instant now = Instant.now();
        long candidate = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return LAST_NANOS.accumulateAndGet(candidate, (last, next) -> Math.max(last + 1_000, next));
    }

    static Reading reading(String sensor, double value, long eventTimeNanos) {
        return Reading.newBuilder().setSensor(sensor).setUnit("u").setValue(value)
                .setEventTimeUnixNanos(eventTimeNanos).build();
    }

    static ReadingBatch.Builder batch(String device) {
        return ReadingBatch.newBuilder().setDeviceId(device).setBatchSeq(SEQ.incrementAndGet())
                .setCreatedAtUnixNanos(nowNanos());
    }

    /** {@code valid} ordinary readings now, plus {@code odd} (which may break a rule). */
    static byte[] withOdd(String device, int valid, Reading odd) {
        ReadingBatch.Builder batch = batch(device);
        for (int i = 0; i < valid; i++) {
            batch.addReadings(reading("temperature", 20 + i, nowNanos()));
        }
        batch.addReadings(odd);
        return batch.build().toByteArray();
    }

    /** One valid reading of sensor {@code temperature}. */
    static byte[] small(String device) {
        return batch(device).addReadings(reading("temperature", 21.5, nowNanos())).build().toByteArray();
    }
}
