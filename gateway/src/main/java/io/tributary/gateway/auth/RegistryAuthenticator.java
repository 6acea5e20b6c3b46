package io.tributary.gateway.auth;

import io.tributary.gateway.registry.DeviceRecord;
import io.tributary.gateway.registry.DeviceLookup;
import io.tributary.gateway.registry.SecretVerifier;
import io.tributary.gateway.routing.DeviceIds;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Optional;

/**
 * Authenticates against the device registry: MQTT user name = device id, password = the device's secret. Unknown
 * devices and wrong secrets get the same answer (bad user name or password), a disabled device "not authorized".
 * The key derivation runs on a worker thread, never on the event loop; a secret verified once is remembered (as a
 * salted SHA-256 fingerprint, in memory) so reconnect storms stay cheap.
 */
public final class RegistryAuthenticator implements DeviceAuthenticator {

    private final DeviceLookup registry;
    private final SecretVerifier verifier = new SecretVerifier();

    public RegistryAuthenticator(DeviceLookup registry) {
        this.registry = registry;
    }

    @Override
    public Future<DeviceIdentity> authenticate(ConnectRequest request) {
        if (request.certificateDeviceId() != null) {
            return byCertificate(request);
        }
        String deviceId = request.username();
        if (deviceId == null || deviceId.isEmpty()) {
            return refuse(ConnectRefusal.BAD_CREDENTIALS, "no user name: it must be the device id");
        }
        if (!DeviceIds.isValid(deviceId)) {
            return refuse(ConnectRefusal.BAD_CREDENTIALS, "user name is not a valid device id");
        }
        if (request.password() == null || request.password().isEmpty()) {
            return refuse(ConnectRefusal.BAD_CREDENTIALS, "no password [device: " + deviceId + "]");
        }
        Optional<DeviceRecord> device = registry.device(deviceId);
        if (device.isEmpty()) {
            return refuse(ConnectRefusal.BAD_CREDENTIALS, "unknown device '" + deviceId + "'");
        }
        DeviceRecord record = device.get();
        if (!record.enabled()) {
            return refuse(ConnectRefusal.NOT_AUTHORIZED, "device '" + deviceId + "' is disabled");
        }
        if (verifier.knownGood(deviceId, request.password(), record.credentials())) {
            return Future.succeededFuture(new DeviceIdentity(deviceId));
        }
        Context context = Vertx.currentContext();
        if (context == null) {
            return decide(deviceId, verifier.verify(deviceId, request.password(), record.credentials()));
        }
        return context.<Boolean>executeBlocking(
                () -> verifier.verify(deviceId, request.password(), record.credentials()), false)
                .compose(ok -> decide(deviceId, ok));
    }

    /** Mutual TLS verified the certificate: its CN names the device, which must be registered and enabled. */
    private Future<DeviceIdentity> byCertificate(ConnectRequest request) {
        String deviceId = request.certificateDeviceId();
        if (request.username() != null && !request.username().isEmpty() && !request.username().equals(deviceId)) {
            return refuse(ConnectRefusal.BAD_CREDENTIALS, "user name '" + request.username()
                    + "' differs from the certificate's CN '" + deviceId + "'");
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

    private Future<DeviceIdentity> decide(String deviceId, boolean secretMatches) {
        if (!secretMatches) {
            return refuse(ConnectRefusal.BAD_CREDENTIALS, "wrong secret [device: " + deviceId + "]");
        }
        // The device may have been disabled while the secret was being checked.
        boolean enabled = registry.device(deviceId).map(DeviceRecord::enabled).orElse(false);
        return enabled ? Future.succeededFuture(new DeviceIdentity(deviceId))
                : refuse(ConnectRefusal.NOT_AUTHORIZED, "device '" + deviceId + "' is disabled");
    }

    private static Future<DeviceIdentity> refuse(ConnectRefusal refusal, String detail) {
        return Future.failedFuture(new ConnectRefusedException(refusal, detail));
    }
}
