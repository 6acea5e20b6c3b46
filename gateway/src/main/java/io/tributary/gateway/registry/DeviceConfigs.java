package io.tributary.gateway.registry;

import java.util.Optional;

/** Where the gateway finds the configuration to push to a device on {@code devices/{id}/config}. */
public interface DeviceConfigs {

    DeviceConfigs NONE = deviceId -> Optional.empty();

    /** The device's current configuration, if one was set. Must not block. */
    Optional<byte[]> configFor(String deviceId);
}
