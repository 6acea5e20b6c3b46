package io.tributary.simulator.transport;

/** Opens (not yet connected) connections for devices; closed by the fleet after its last device. */
@FunctionalInterface
public interface DeviceLinkFactory extends AutoCloseable {

    DeviceLink create(String deviceId);

    /** Releases what the connections shared (event loops, thread pools). */
    @Override
    default void close() {
    }
}
