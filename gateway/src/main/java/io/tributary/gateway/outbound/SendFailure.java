package io.tributary.gateway.outbound;

import java.util.Objects;

/** Why a {@link TelemetrySink} did not store a record; the device may always try again. */
public final class SendFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The gateway holds too much unacknowledged data already: refused at once, nothing was sent. */
        OVERLOADED,
        /** The broker did not answer in time or could not be reached. */
        UNAVAILABLE,
        /** The broker refused the record (too large, not authorised, ...), or the sink is closed. */
        REJECTED
    }

    private final Kind kind;

    public SendFailure(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }

    public static boolean is(Throwable error, Kind kind) {
        return error instanceof SendFailure failure && failure.kind == kind;
    }
}
