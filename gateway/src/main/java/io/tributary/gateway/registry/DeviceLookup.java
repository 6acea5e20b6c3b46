package io.tributary.gateway.registry;

import io.tributary.contract.registry.DeviceRecord;
import java.util.Optional;

/** Finds a device's current registry record. Must not block: called on event loops. */
@FunctionalInterface
public interface DeviceLookup {

    Optional<DeviceRecord> device(String deviceId);
}
