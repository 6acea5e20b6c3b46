package io.tributary.gateway.registry;

import io.tributary.contract.registry.DeviceCredentials;
import io.tributary.contract.registry.SecretHasher;
import java.security.MessageDigest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Checks secrets against stored credentials and remembers, per device, the salted SHA-256 fingerprint of the last
 * secret that matched those credentials: a device that reconnects costs one SHA-256 instead of a key derivation. The
 * memory is dropped when the device's credentials change. Thread-safe.
 */
public final class SecretVerifier {

    private record Verified(DeviceCredentials credentials, byte[] fingerprint) {
    }

    private final ConcurrentMap<String, Verified> verified = new ConcurrentHashMap<>();

    /** Whether this exact secret was verified for these credentials before. Cheap: fine on an event loop. */
    public boolean knownGood(String deviceId, String secret, DeviceCredentials credentials) {
        Verified known = verified.get(deviceId);
        return known != null && known.credentials().equals(credentials)
                && MessageDigest.isEqual(known.fingerprint(), SecretHasher.fingerprint(secret, credentials.salt()));
    }

    /** Runs the key derivation (CPU-bound: call it on a worker) and remembers a match. */
    public boolean verify(String deviceId, String secret, DeviceCredentials credentials) {
        boolean ok = SecretHasher.verify(secret, credentials);
        if (ok) {
            verified.put(deviceId, new Verified(credentials, SecretHasher.fingerprint(secret, credentials.salt())));
        }
        return ok;
    }
}
