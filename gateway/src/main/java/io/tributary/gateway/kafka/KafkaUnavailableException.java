package io.tributary.gateway.kafka;

/** Kafka could not be reached, or did not know a topic, within the startup timeout. */
public final class KafkaUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
