package io.tributary.simulator.fleet;

import io.tributary.simulator.config.SimulatorConfig;
import io.tributary.simulator.device.BatchFactory;
import io.tributary.simulator.device.SimulatedDevice;
import io.tributary.simulator.ledger.LossLedger;
import io.tributary.simulator.sensor.SensorModel;
import io.tributary.simulator.transport.DeviceConnectionFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet of simulated devices publishing on a fixed schedule, with their start times spread over one batch interval so
 * the gateway sees a steady stream instead of bursts. Owns the connection factory it is given and closes it last.
 */
public final class Fleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

    private final SimulatorConfig config;
    private final LossLedger ledger = new LossLedger();
    private final List<SimulatedDevice> devices = new ArrayList<>();
    private final List<ScheduledFuture<?>> ticks = new ArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final DeviceConnectionFactory connections;
    private boolean started;
    private boolean closed;

    public Fleet(SimulatorConfig config, DeviceConnectionFactory connections) {
        this.config = config;
        this.connections = connections;
        this.scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "fleet-scheduler");
            thread.setDaemon(true);
            return thread;
        });
        long intervalNanos = config.batchInterval().toNanos();
        for (int i = 0; i < config.devices(); i++) {
            String deviceId = config.deviceId(i);
            BatchFactory batches = new BatchFactory(deviceId,
                    SensorModel.standardSet(config.sensorsPerDevice(), deviceId.hashCode()), config.readingsPerSensor());
            devices.add(new SimulatedDevice(deviceId, batches, connections.create(deviceId), ledger.device(deviceId),
                    scheduler, config.maxInflightPerDevice(), Math.max(config.publishTimeout().toNanos(), intervalNanos)));
        }
    }

    /** Connects every device and starts publishing. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("fleet already started");
        }
        started = true;
        long intervalNanos = config.batchInterval().toNanos();
        long connectSpacingNanos = TimeUnit.SECONDS.toNanos(1) / config.connectRate();
        for (int i = 0; i < devices.size(); i++) {
            SimulatedDevice device = devices.get(i);
            long connectAt = connectSpacingNanos * i;
            long offset = intervalNanos * i / devices.size();
            if (connectAt == 0) {
                device.start();
            } else {
                scheduler.schedule(device::start, connectAt, TimeUnit.NANOSECONDS);
            }
            ticks.add(scheduler.scheduleAtFixedRate(() -> tick(device, intervalNanos),
                    connectAt + offset + intervalNanos, intervalNanos, TimeUnit.NANOSECONDS));
        }
        LOG.info("Fleet started [devices: {}, interval: {}, readings per batch: {}, server: {}]", devices.size(),
                config.batchInterval(), config.readingsPerBatch(), config.mqttServerUri());
    }

    /**
     * Stops creating batches and waits until every batch created so far was acknowledged or refused, at most
     * {@code drainTimeout}; then disconnects every device.
     *
     * @return true if everything settled in time
     */
    public boolean stop(Duration drainTimeout) {
        synchronized (this) {
            ticks.forEach(tick -> tick.cancel(false));
            ticks.clear();
        }
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        boolean drained = unsettledBatches() == 0;
        while (!drained && System.nanoTime() < deadline && sleepQuietly(50)) {
            drained = unsettledBatches() == 0;
        }
        if (!drained) {
            LOG.warn("Fleet stopped with unacknowledged batches [batches: {}, waited: {}]", unsettledBatches(),
                    drainTimeout);
        }
        close();
        return drained;
    }

    public LossLedger ledger() {
        return ledger;
    }

    public SimulatorConfig config() {
        return config;
    }

    public int deviceCount() {
        return devices.size();
    }

    public int connectedDevices() {
        int connected = 0;
        for (SimulatedDevice device : devices) {
            if (device.isConnected()) {
                connected++;
            }
        }
        return connected;
    }

    public int unsettledBatches() {
        int unsettled = 0;
        for (SimulatedDevice device : devices) {
            unsettled += device.unsettledBatches();
        }
        return unsettled;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            ticks.forEach(tick -> tick.cancel(false));
        }
        devices.parallelStream().forEach(SimulatedDevice::close);
        scheduler.shutdownNow();
        connections.close();
    }

    private static void tick(SimulatedDevice device, long intervalNanos) {
        try {
            device.tick(nowUnixNanos(), intervalNanos);
        } catch (RuntimeException e) {
            // A failing tick must not cancel the device's schedule (scheduleAtFixedRate stops on an exception).
            LOG.error("Device tick failed [device: {}]", device.deviceId(), e);
        }
    }

    static long nowUnixNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Sleeps; false if interrupted (the interrupt flag stays set). */
    private static boolean sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
