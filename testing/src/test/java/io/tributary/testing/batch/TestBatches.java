package io.tributary.testing.batch;

import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.util.function.IntFunction;

/**
 * Telemetry batches for tests: a builder that names only what a test cares about, and a ready valid batch. A test's
 * own values (sensor names, times, device ids) stay in the test; only the protobuf plumbing lives here.
 */
public final class TestBatches {

    private TestBatches() {
    }

    /** A builder of a batch of {@code deviceId}: seq 0, no created-at, no readings until added. */
    public static Builder batch(String deviceId) {
        return new Builder(deviceId);
    }

    /**
     * A batch of {@code readings} readings of {@code deviceId} that passes the input contract now: sensor
     * {@code cpu_temp}, unit {@code degC}, values 40, 41, ..., event times a microsecond apart just before its
     * created-at, which is the current time.
     */
    public static ReadingBatch batch(String deviceId, long seq, int readings) {
        long now = nowNanos();
        return batch(deviceId).seq(seq).createdAt(now)
                .add(readings, i -> reading("cpu_temp", 40 + i, now - 1000L * (readings - i)).setUnit("degC"))
                .build();
    }

    /** A reading of {@code sensor} (no unit), to be completed or added as it is. */
    public static Reading.Builder reading(String sensor, double value, long eventTimeUnixNanos) {
        return Reading.newBuilder().setSensor(sensor).setValue(value).setEventTimeUnixNanos(eventTimeUnixNanos);
    }

    /** The current wall-clock time in Unix nanoseconds, millisecond precision. */
    public static long nowNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    /** A batch under construction. */
    public static final class Builder {
        private final ReadingBatch.Builder batch;

        private Builder(String deviceId) {
            batch = ReadingBatch.newBuilder().setDeviceId(deviceId);
        }

        /** The batch sequence number. */
        public Builder seq(long seq) {
            batch.setBatchSeq(seq);
            return this;
        }

        /** When the device made the batch, Unix nanoseconds. */
        public Builder createdAt(long unixNanos) {
            batch.setCreatedAtUnixNanos(unixNanos);
            return this;
        }

        /** Readings the device reports it dropped before this batch. */
        public Builder droppedReadings(long dropped) {
            batch.setDroppedReadings(dropped);
            return this;
        }

        /** Adds {@code readings} in order. */
        public Builder add(Reading.Builder... readings) {
            for (Reading.Builder reading : readings) {
                batch.addReadings(reading);
            }
            return this;
        }

        /** Adds {@code readings} in order. */
        public Builder addAll(Iterable<Reading> readings) {
            batch.addAllReadings(readings);
            return this;
        }

        /** Adds {@code count} readings, the i-th (from 0) made by {@code reading}. */
        public Builder add(int count, IntFunction<Reading.Builder> reading) {
            for (int i = 0; i < count; i++) {
                batch.addReadings(reading.apply(i));
            }
            return this;
        }

        public ReadingBatch build() {
            return batch.build();
        }

        /** The batch as it goes on the wire. */
        public byte[] toByteArray() {
            return build().toByteArray();
        }
    }
}
