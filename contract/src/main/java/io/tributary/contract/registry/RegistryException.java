package io.tributary.contract.registry;

/** The registry could not be read or written (Kafka unreachable, a topic missing, a timeout). */
public final class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }

    public RegistryException(String message) {
        super(message);
    }
}
