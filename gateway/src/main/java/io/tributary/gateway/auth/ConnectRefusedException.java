package io.tributary.gateway.auth;

import java.util.Objects;

/** Fails an {@link DeviceAuthenticator#authenticate} future to refuse a CONNECT with a definite reason. */
public final class ConnectRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ConnectRefusal refusal;

    public ConnectRefusedException(ConnectRefusal refusal, String message) {
        super(message, null, false, false);
        this.refusal = Objects.requireNonNull(refusal, "refusal");
    }

    public ConnectRefusal refusal() {
        return refusal;
    }
}
