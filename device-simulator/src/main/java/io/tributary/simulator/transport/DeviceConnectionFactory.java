package io.tributary.simulator.transport;

/** Opens a (not yet connected) connection for a device. */
@FunctionalInterface
public interface DeviceConnectionFactory {

    DeviceConnection create(String deviceId);
}
