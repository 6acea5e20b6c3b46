package io.tributary.gateway.auth;

import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.GatewayMetrics.Level;
import io.tributary.common.LogSanitizer;
import io.tributary.contract.registry.DeviceCredentials;
import io.tributary.gateway.registry.DeviceLookup;
import io.tributary.contract.registry.DeviceRecord;
import io.tributary.contract.registry.SecretHasher;
import io.tributary.gateway.registry.SecretVerifier;
import io.tributary.contract.registry.DeviceIds;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;

/**
 * Authenticates against the device registry: MQTT user name = device id, password = the device's secret. Built so
 * that authentication cannot be turned into a denial of service, nor into an oracle for valid device ids:
 *
 * <ol>
 *   <li>A secret the gateway verified before for the same credentials is recognised by its in-memory salted SHA-256
 *       fingerprint ({@link SecretVerifier#knownGood}), before any throttle: a device that connected once keeps
 *       connecting in microseconds, whatever an attacker does to its id or address.</li>
 *   <li>Otherwise the {@link LoginThrottle} decides whether the CONNECT may cost a key derivation; a throttled one is
 *       refused at once ({@link ConnectRefusal#LOGIN_THROTTLED}, MQTT 5: 0x9F).</li>
 *   <li>The derivation runs on the {@link KeyDerivationQueue}: a few threads of its own and a bounded queue; when it is
 *       full the CONNECT is refused at once ({@link ConnectRefusal#SERVER_BUSY}, MQTT 5: 0x89).</li>
 *   <li>An unknown id, or one whose registry record was refused, costs the same derivation against a dummy credential
 *       (random salt and hash, the default iteration count), through the same throttle and queue, and gets the same
 *       answer as a wrong secret (0x86). A disabled device is told "not authorized" only once its secret was proven;
 *       with a wrong secret it gets 0x86 like everyone else.</li>
 * </ol>
 * Every failed check counts against the source address and the device id. Thread-safe: one instance serves all
 * verticles (it holds the throttle tables, the fingerprints and the derivation threads); {@link #close()} stops the
 * threads.
 */
public final class RegistryAuthenticator implements DeviceAuthenticator, AutoCloseable {

    private final DeviceLookup registry;
    private final SecretVerifier verifier = new SecretVerifier();
    private final LoginThrottle throttle;
    private final KeyDerivationQueue derivations;
    private final GatewayMetrics metrics;
    private final DeviceCredentials dummy;

    public RegistryAuthenticator(DeviceLookup registry, AuthSettings settings, GatewayMetrics metrics) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.throttle = new LoginThrottle(settings);
        this.derivations = new KeyDerivationQueue(settings.effectiveDerivationThreads(), settings.derivationQueue(),
                settings.derivationMaxWait());
        this.dummy = dummyCredentials(Math.max(settings.minIterations(), SecretHasher.DEFAULT_ITERATIONS));
    }

    /**
     * Credentials no secret matches (the hash of 192 random bits nobody keeps), with the iteration count real records
     * have, so checking them costs what checking a real device costs.
     */
    private static DeviceCredentials dummyCredentials(int iterations) {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        byte[] hash = new byte[SecretHasher.HASH_BYTES];
        random.nextBytes(salt);
        random.nextBytes(hash);
        return new DeviceCredentials(SecretHasher.ALGORITHM, iterations, salt, hash);
    }

    @Override
    public Future<DeviceIdentity> authenticate(ConnectRequest request) {
        if (request.certificateDeviceId() != null) {
            return byCertificate(request);
        }
        String address = request.remoteAddress();
        String deviceId = request.username();
        if (deviceId == null || deviceId.isEmpty()) {
            return failWithoutCheck(address, "no user name: it must be the device id");
        }
        if (!DeviceIds.isValid(deviceId)) {
            return failWithoutCheck(address, "user name is not a valid device id");
        }
        String secret = request.password();
        if (secret == null || secret.isEmpty()) {
            return failWithoutCheck(address, "no password [device: " + deviceId + "]");
        }
        Optional<DeviceRecord> device = registry.device(deviceId);
        if (device.isPresent() && verifier.knownGood(deviceId, secret, device.get().credentials())) {
            return device.get().enabled() ? Future.succeededFuture(new DeviceIdentity(deviceId))
                    : refuse(ConnectRefusal.NOT_AUTHORIZED, "device '" + deviceId + "' is disabled");
        }
        LoginThrottle.Verdict verdict = throttle.admit(address, deviceId);
        if (verdict != LoginThrottle.Verdict.ADMIT) {
            boolean byAddress = verdict == LoginThrottle.Verdict.ADDRESS_BLOCKED;
            metrics.count(byAddress ? Counted.LOGINS_THROTTLED_BY_ADDRESS : Counted.LOGINS_THROTTLED_BY_DEVICE);
            String scope = byAddress ? "address" : "device";
            return refuse(ConnectRefusal.LOGIN_THROTTLED, "too many failed logins [scope: " + scope + ", device: "
                    + deviceId + ", address: " + LogSanitizer.sanitize(address, 64) + "]");
        }
        // Unknown ids and refused records cost the same derivation as a known device, on the same path.
        DeviceCredentials credentials = device.map(DeviceRecord::credentials).orElse(dummy);
        boolean known = device.isPresent();
        Context context = Vertx.currentContext();
        Promise<DeviceIdentity> outcome = Promise.promise();
        metrics.add(Level.KEY_DERIVATIONS_PENDING, 1);
        boolean queued = derivations.trySubmit(new KeyDerivationQueue.Task() {
            @Override
            public void run() {
                Future<DeviceIdentity> decided;
                long start = System.nanoTime();
                try {
                    boolean matches = verifier.verify(deviceId, secret, credentials);
                    metrics.keyDerivation(System.nanoTime() - start);
                    decided = decide(address, deviceId, known && matches, known);
                } catch (RuntimeException e) {
                    // Typed, so the MQTT layer logs it like any refusal (rate-limited, sanitised), not with a trace.
                    decided = refuse(ConnectRefusal.SERVER_UNAVAILABLE, "secret check failed: " + e);
                } finally {
                    metrics.add(Level.KEY_DERIVATIONS_PENDING, -1);
                }
                complete(context, outcome, decided);
            }

            @Override
            public void expired() {
                metrics.add(Level.KEY_DERIVATIONS_PENDING, -1);
                metrics.count(Counted.LOGINS_BUSY);
                complete(context, outcome, refuse(ConnectRefusal.SERVER_BUSY, "secret check waited too long"
                        + " [device: " + deviceId + "]"));
            }
        });
        if (!queued) {
            metrics.add(Level.KEY_DERIVATIONS_PENDING, -1);
            metrics.count(Counted.LOGINS_BUSY);
            return refuse(ConnectRefusal.SERVER_BUSY, "secret checks backed up (" + derivations.capacity()
                    + " waiting) [device: " + deviceId + "]");
        }
        return outcome.future();
    }

    /** Hands the outcome back on the connection's event loop, if the CONNECT came from one. */
    private static void complete(Context context, Promise<DeviceIdentity> outcome, Future<DeviceIdentity> decided) {
        if (context == null) {
            outcome.handle(decided);
        } else {
            context.runOnContext(v -> outcome.handle(decided));
        }
    }

    /** A CONNECT refused before any secret check (no usable user name or password): counts against the address. */
    private Future<DeviceIdentity> failWithoutCheck(String address, String detail) {
        throttle.failed(address, null);
        metrics.count(Counted.LOGINS_FAILED);
        return refuse(ConnectRefusal.BAD_CREDENTIALS, detail);
    }

    /** Mutual TLS verified the certificate: its CN names the device, which must be registered and enabled. */
    private Future<DeviceIdentity> byCertificate(ConnectRequest request) {
        String deviceId = request.certificateDeviceId();
        if (request.username() != null && !request.username().isEmpty() && !request.username().equals(deviceId)) {
            return refuse(ConnectRefusal.BAD_CREDENTIALS, "user name '" + LogSanitizer.sanitize(request.username(),
                    DeviceIds.MAX_LENGTH) + "' differs from the certificate's CN '"
                    + LogSanitizer.sanitize(deviceId, DeviceIds.MAX_LENGTH) + "'");
        }
        if (!DeviceIds.isValid(deviceId)) {
            return refuse(ConnectRefusal.BAD_CREDENTIALS, "certificate CN is not a valid device id");
        }
        Optional<DeviceRecord> device = registry.device(deviceId);
        if (device.isEmpty()) {
            return refuse(ConnectRefusal.BAD_CREDENTIALS, "unknown device '" + deviceId + "' (certificate CN)");
        }
        if (!device.get().enabled()) {
            return refuse(ConnectRefusal.NOT_AUTHORIZED, "device '" + deviceId + "' is disabled");
        }
        return Future.succeededFuture(new DeviceIdentity(deviceId));
    }

    /** After the derivation, on a derivation thread. */
    private Future<DeviceIdentity> decide(String address, String deviceId, boolean secretMatches, boolean known) {
        if (!secretMatches) {
            throttle.failed(address, deviceId);
            metrics.count(Counted.LOGINS_FAILED);
            // The detail is for the operator's log only; the device sees the same 0x86 either way.
            return refuse(ConnectRefusal.BAD_CREDENTIALS, (known ? "wrong secret" : "unknown device or refused"
                    + " record") + " [device: " + deviceId + "]");
        }
        // The device may have been disabled while the secret was being checked.
        boolean enabled = registry.device(deviceId).map(DeviceRecord::enabled).orElse(false);
        return enabled ? Future.succeededFuture(new DeviceIdentity(deviceId))
                : refuse(ConnectRefusal.NOT_AUTHORIZED, "device '" + deviceId + "' is disabled");
    }

    private static Future<DeviceIdentity> refuse(ConnectRefusal refusal, String detail) {
        return Future.failedFuture(new ConnectRefusedException(refusal, detail));
    }

    /** Stops the derivation threads; checks still queued are answered "server busy". */
    @Override
    public void close() {
        derivations.close();
    }
}
