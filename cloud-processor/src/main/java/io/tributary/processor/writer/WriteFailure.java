package io.tributary.processor.writer;

/**
 * How a failed InfluxDB write is handled.
 *
 * <p>Only {@link #REJECTED} leads to dead-lettering: it means "these points will never be accepted". A failure that
 * would reject every point alike (wrong URL, token or bucket) is {@link #MISCONFIGURED}: retried, never dead-lettered,
 * so fixing the configuration (or creating the bucket) lets everything through.
 */
public enum WriteFailure {
    /** The server or the network failed (5xx, 408, 429, I/O error, timeout): retry the same data. */
    TRANSIENT(true),
    /** The request cannot succeed for any data until an operator acts (401, 403, 404, 405, ...): retry the same data. */
    MISCONFIGURED(true),
    /** InfluxDB refused this data (400 bad line / field type conflict, 413 too large, 422 unprocessable). */
    REJECTED(false);

    private final boolean retryable;

    WriteFailure(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
