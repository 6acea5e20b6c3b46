package io.tributary.gateway.auth;

import io.tributary.contract.registry.DeviceIds;
import io.vertx.core.Future;

/**
 * Accepts every CONNECT without checking credentials (development and this first slice only). The device id is the
 * MQTT user name if one is given (the provisioning contract: user name = device id), else the client identifier.
 * A CONNECT that yields no valid device id is refused with {@link ConnectRefusal#IDENTIFIER_INVALID}.
 */
public final class AcceptAllAuthenticator implements DeviceAuthenticator {

    @Override
    public Future<DeviceIdentity> authenticate(ConnectRequest request) {
        String candidate = request.certificateDeviceId() != null ? request.certificateDeviceId()
                : request.username() != null && !request.username().isEmpty() ? request.username()
                : request.clientId();
        if (!DeviceIds.isValid(candidate)) {
            return Future.failedFuture(new ConnectRefusedException(ConnectRefusal.IDENTIFIER_INVALID,
                    "no valid device id in user name or client identifier"));
        }
        return Future.succeededFuture(new DeviceIdentity(candidate));
    }
}
