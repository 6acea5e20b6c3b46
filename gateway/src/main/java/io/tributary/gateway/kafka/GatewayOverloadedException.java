package io.tributary.gateway.kafka;

/** The gateway refused a record because too many bytes are already on their way to Kafka. */
public final class GatewayOverloadedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public GatewayOverloadedException(String message) {
        super(message, null, false, false);
    }
}
