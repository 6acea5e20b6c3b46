package io.tributary.gateway.auth;

import io.tributary.common.LogSanitizer;
import io.tributary.contract.registry.DeviceIds;

/** Who is on the other end of a connection, as established at CONNECT; it may publish only to its own topics. */
public record DeviceIdentity(String deviceId) {
    public DeviceIdentity {
        if (!DeviceIds.isValid(deviceId)) {
            throw new IllegalArgumentException("invalid device id '" + LogSanitizer.sanitize(deviceId) + "'");
        }
    }
}
