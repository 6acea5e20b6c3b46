package io.tributary.gateway.auth;

import io.vertx.core.Future;

/**
 * Decides whether a CONNECT is accepted and which device it is. Called on the connection's event loop: an
 * implementation must not block (a registry lookup returns its Future and completes it later).
 */
public interface DeviceAuthenticator {

    /**
     * @return the device's identity, or a future failed with {@link ConnectRefusedException} to refuse the CONNECT
     *     (any other failure refuses it as {@link ConnectRefusal#SERVER_UNAVAILABLE})
     */
    Future<DeviceIdentity> authenticate(ConnectRequest request);
}
