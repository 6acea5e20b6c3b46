package io.tributary.contract.registry;

import java.util.Objects;

/** A registry record that cannot be used: unreadable, or breaking a {@link CredentialRules} rule. */
public final class InvalidDeviceRecordException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final CredentialRules.Problem problem;

    public InvalidDeviceRecordException(CredentialRules.Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    public CredentialRules.Problem problem() {
        return problem;
    }
}
