package io.tributary.contract.registry;

import java.util.Locale;
import java.util.Optional;

/**
 * What a registry record's credentials must look like before the gateway spends a key derivation on them: a record
 * comes from Kafka, and a bad one (an {@code iterations} of 2^31−1 would tie a worker up for minutes per CONNECT) must
 * not turn into a denial of service. A record that breaks a rule is refused: its device cannot log in.
 *
 * @param minIterations fewest PBKDF2 iterations accepted (a weaker record, or one much cheaper than the dummy check of
 *     unknown ids, is refused)
 * @param maxIterations most PBKDF2 iterations accepted: bounds the CPU one CONNECT can cost
 */
public record CredentialRules(int minIterations, int maxIterations) {

    /** Default lower bound: half of {@link SecretHasher#DEFAULT_ITERATIONS}. */
    public static final int DEFAULT_MIN_ITERATIONS = 1_000;
    /**
     * Default upper bound: ten times {@link SecretHasher#DEFAULT_ITERATIONS}, room to raise the work factor later;
     * about 5 ms of one core per check on the development machine (2,000 iterations take 0.55 ms).
     */
    public static final int DEFAULT_MAX_ITERATIONS = 20_000;
    /** Shortest salt accepted (64 bits); {@link SecretHasher} writes 16 bytes. */
    public static final int MIN_SALT_BYTES = 8;
    /** Longest salt accepted: a salt is hashed once per check, so its length is bounded too. */
    public static final int MAX_SALT_BYTES = 64;

    public static final CredentialRules DEFAULTS = new CredentialRules(DEFAULT_MIN_ITERATIONS, DEFAULT_MAX_ITERATIONS);

    /** Why a record is refused; {@link #code()} is the metric label. */
    public enum Problem {
        /** Not JSON, a field missing or of the wrong type, a key that differs from the device id. */
        UNREADABLE,
        /** An algorithm other than {@link SecretHasher#ALGORITHM}. */
        ALGORITHM,
        /** An iteration count outside the configured range (or not an integer). */
        ITERATIONS,
        /** A salt that is not base64 or has a length outside 8..64 bytes. */
        SALT,
        /** A hash that is not base64 or not {@link SecretHasher#HASH_BYTES} bytes long. */
        HASH;

        private final String code = name().toLowerCase(Locale.ROOT);

        /** The label used in metrics and logs: the name in lower case (so never rename a constant). */
        public String code() {
            return code;
        }
    }

    public CredentialRules {
        if (minIterations < 1) {
            throw new IllegalArgumentException("minIterations (--registry-min-iterations) must be at least 1, got "
                    + minIterations);
        }
        if (maxIterations < minIterations) {
            throw new IllegalArgumentException("maxIterations (--registry-max-iterations) must be at least"
                    + " minIterations (" + minIterations + "), got " + maxIterations);
        }
    }

    /** The rule {@code algorithm}, {@code iterations}, {@code salt} and {@code hash} break, if any. */
    public Optional<Violation> check(String algorithm, long iterations, byte[] salt, byte[] hash) {
        if (!SecretHasher.ALGORITHM.equals(algorithm)) {
            return Optional.of(new Violation(Problem.ALGORITHM, "unknown algorithm (only " + SecretHasher.ALGORITHM
                    + ")"));
        }
        if (iterations < minIterations || iterations > maxIterations) {
            return Optional.of(new Violation(Problem.ITERATIONS, "iterations " + iterations + " outside "
                    + minIterations + ".." + maxIterations));
        }
        if (salt == null || salt.length < MIN_SALT_BYTES || salt.length > MAX_SALT_BYTES) {
            return Optional.of(new Violation(Problem.SALT, "salt of " + (salt == null ? "no" : salt.length)
                    + " bytes, expected " + MIN_SALT_BYTES + ".." + MAX_SALT_BYTES));
        }
        if (hash == null || hash.length != SecretHasher.HASH_BYTES) {
            return Optional.of(new Violation(Problem.HASH, "hash of " + (hash == null ? "no" : hash.length)
                    + " bytes, expected " + SecretHasher.HASH_BYTES));
        }
        return Optional.empty();
    }

    /**
     * A broken rule.
     *
     * @param problem which rule
     * @param detail what was found, without secret material
     */
    public record Violation(Problem problem, String detail) {
    }
}
