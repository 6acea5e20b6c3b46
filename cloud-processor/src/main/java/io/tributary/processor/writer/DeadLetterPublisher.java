package io.tributary.processor.writer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Sends a rejected telemetry record, byte for byte, to the dead-letter topic with the reason in its headers. */
public interface DeadLetterPublisher extends AutoCloseable {

    /**
     * Sends the record, as consumed, and waits until the dead-letter topic acknowledged it; {@code reason} is a
     * {@link DeadLetterReason} code.
     *
     * @throws RuntimeException when the record was not acknowledged; the caller retries and does not commit
     */
    void publish(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason, String detail);

    /** Naming the input-contract rule the record breaks (null for none). */
    default void publish(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason, String detail,
            String contractRule) {
        publish(record, deviceId, reason, detail);
    }

    @Override
    void close();
}
