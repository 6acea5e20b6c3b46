package io.tributary.contract.registry;

import java.util.Arrays;
import java.util.Objects;

/**
 * A device secret's salted hash, as stored in the registry.
 *
 * @param algorithm the JDK key-derivation algorithm ({@link SecretHasher#ALGORITHM})
 */
public record DeviceCredentials(String algorithm, int iterations, byte[] salt, byte[] hash) {

    public DeviceCredentials {
        Objects.requireNonNull(algorithm, "algorithm");
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive, got " + iterations);
        }
        if (salt == null || salt.length < 8) {
            throw new IllegalArgumentException("salt must have at least 8 bytes");
        }
        if (hash == null || hash.length < 16) {
            throw new IllegalArgumentException("hash must have at least 16 bytes");
        }
        salt = salt.clone();
        hash = hash.clone();
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DeviceCredentials c && algorithm.equals(c.algorithm) && iterations == c.iterations
                && Arrays.equals(salt, c.salt) && Arrays.equals(hash, c.hash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, iterations, Arrays.hashCode(salt), Arrays.hashCode(hash));
    }

    /** Never prints the hash. */
    @Override
    public String toString() {
        return "DeviceCredentials[" + algorithm + ", " + iterations + " iterations]";
    }
}
