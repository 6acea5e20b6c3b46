package io.tributary.contract.registry;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Issues device secrets and keeps only salted PBKDF2 hashes of them (JDK {@code PBKDF2WithHmacSHA256}).
 *
 * <p>A secret is 192 random bits from {@link SecureRandom}, printed as 32 base64url characters. With that much
 * entropy, stretching adds little: the iteration count is modest so a reconnect storm of thousands of devices stays
 * cheap, and it is stored with each hash so it can be raised later without invalidating old records.
 */
public final class SecretHasher {

    /** The JDK algorithm name. */
    public static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    /** Iterations for new hashes. */
    public static final int DEFAULT_ITERATIONS = 2_000;
    /** Random bytes in a secret (192 bits; the contract asks for at least 128). */
    public static final int SECRET_BYTES = 24;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    /** Length of a derived key, the only hash length a record may have. */
    public static final int HASH_BYTES = HASH_BITS / 8;

    private final SecureRandom random;

    public SecretHasher(SecureRandom random) {
        this.random = random;
    }

    /** A new random secret, base64url without padding. */
    public String newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The salted hash of {@code secret} with a fresh salt. */
    public DeviceCredentials hash(String secret) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new DeviceCredentials(ALGORITHM, DEFAULT_ITERATIONS, salt, derive(secret, salt, DEFAULT_ITERATIONS));
    }

    /** Whether {@code secret} matches; constant time in the hash comparison. CPU-bound: keep it off event loops. */
    public static boolean verify(String secret, DeviceCredentials credentials) {
        if (secret == null || !ALGORITHM.equals(credentials.algorithm())) {
            return false;
        }
        byte[] actual = derive(secret, credentials.salt(), credentials.iterations());
        return MessageDigest.isEqual(actual, credentials.hash());
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** A fast fingerprint of a verified secret, for the authenticator's cache (never stored outside memory). */
    public static byte[] fingerprint(String secret, byte[] salt) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(salt);
            return digest.digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }
}
