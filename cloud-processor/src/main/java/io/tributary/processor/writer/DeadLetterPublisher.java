package io.tributary.processor.writer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Sends a rejected telemetry record, byte for byte, to the dead-letter topic with the reason in its headers. */
public interface DeadLetterPublisher extends AutoCloseable {

    /**
     * Sends the record and waits until the dead-letter topic acknowledged it.
     *
     * @param record the rejected record, as consumed
     * @param deviceId the device as far as known (may be empty)
     * @param reason a {@link DeadLetterReason} code
     * @param detail human-readable explanation
     * @throws RuntimeException when the record was not acknowledged; the caller retries and does not commit
     */
    void publish(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason, String detail);

    /**
     * As {@link #publish(ConsumerRecord, String, String, String)}, naming the input-contract rule the record breaks
     * (null for none).
     */
    default void publish(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason, String detail,
            String contractRule) {
        publish(record, deviceId, reason, detail);
    }

    @Override
    void close();
}
