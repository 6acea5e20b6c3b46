package io.tributary.contract.registry;

import java.util.Optional;

/** Told about registry changes, on the registry's consumer thread: must not block and must not throw. */
public interface RegistryListener {

    /** A device record was written; empty when it was removed. */
    default void deviceChanged(String deviceId, Optional<DeviceRecord> device) {
    }

    /** A device's configuration was set; empty when it was removed. */
    default void configChanged(String deviceId, Optional<byte[]> config) {
    }
}
