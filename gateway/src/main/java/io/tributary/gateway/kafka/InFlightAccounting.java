package io.tributary.gateway.kafka;

import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.GatewayMetrics.Level;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What every record on its way to Kafka is charged to, whichever sender sends it: the {@link InFlightLimits} (pause
 * mark, hard limit), the in-flight count the shutdown waits for, and the send metrics. Thread-safe.
 */
public final class InFlightAccounting {

    private static final int RECORD_OVERHEAD_BYTES = 70;

    private final InFlightLimits limits;
    private final GatewayMetrics metrics;
    private final AtomicLong records = new AtomicLong();

    public InFlightAccounting(InFlightLimits limits, GatewayMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
    }

    /** Charges a record of {@code size} bytes; null when charged, else the failure to report (nothing charged). */
    GatewayOverloadedException tryStart(long size) {
        if (!limits.tryAcquire(size)) {
            return new GatewayOverloadedException("more than " + limits.hardLimitBytes() + " bytes in flight to Kafka");
        }
        metrics.add(Level.KAFKA_INFLIGHT_BYTES, size);
        records.incrementAndGet();
        metrics.add(Level.KAFKA_INFLIGHT, 1);
        return null;
    }

    /** Counts the outcome of a record charged at {@code startNanos}; call {@link #release} after reporting it. */
    void finished(long size, long startNanos, boolean succeeded) {
        records.decrementAndGet();
        metrics.add(Level.KAFKA_INFLIGHT_BYTES, -size);
        metrics.add(Level.KAFKA_INFLIGHT, -1);
        metrics.kafkaSendLatency(System.nanoTime() - startNanos, succeeded);
    }

    /**
     * Frees the record's bytes; may run resumers. After the outcome was reported, so resumed connections find the
     * record's PUBACK already written.
     */
    void release(long size) {
        limits.release(size);
    }

    public long inFlightRecords() {
        return records.get();
    }

    boolean congested() {
        return limits.atPauseMark();
    }

    void whenDecongested(Runnable resumer) {
        limits.whenBelowResumeMark(resumer);
    }

    /** The bytes {@code record} is charged: an upper bound of its size in the producer's buffer. */
    static long sizeOf(ProducerRecord<String, byte[]> record) {
        long size = RECORD_OVERHEAD_BYTES;
        if (record.key() != null) {
            size += record.key().length() * 3L; // UTF-8 upper bound, without encoding it twice
        }
        if (record.value() != null) {
            size += record.value().length;
        }
        for (Header header : record.headers()) {
            size += header.key().getBytes(StandardCharsets.UTF_8).length
                    + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }
}
