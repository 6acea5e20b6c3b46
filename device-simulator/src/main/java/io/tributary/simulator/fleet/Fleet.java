package io.tributary.simulator.fleet;

import io.tributary.simulator.anomaly.DeviceAnomalies;
import io.tributary.simulator.config.SimulatorConfig;
import io.tributary.simulator.device.BatchFactory;
import io.tributary.simulator.device.SimulatedDevice;
import io.tributary.simulator.ledger.DeviceLedger;
import io.tributary.simulator.ledger.LossLedger;
import io.tributary.simulator.report.LatencyHistogram;
import io.tributary.simulator.scenario.Anomaly;
import io.tributary.simulator.scenario.Profile;
import io.tributary.simulator.scenario.Scenario;
import io.tributary.simulator.sensor.SensorModel;
import io.tributary.simulator.transport.DeviceLinkFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet of simulated devices: connects them at the scenario's connect rate, ticks each at its profile's batch interval
 * (staggered so the gateway sees an even load, to within {@link #CLOCK_PERIOD}), plays the scripted anomalies, and keeps
 * the loss ledger.
 */
public final class Fleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

    /**
     * How often the batch clock looks for due devices: a device publishes up to this much after its exact slot, and
     * devices due within one period publish in one burst. At 3,000 batches/s the simulator used a quarter of a core
     * with one timer per device (one wake-up per batch); see {@link BatchClock}.
     */
    static final Duration CLOCK_PERIOD = Duration.ofMillis(5);

    private final FleetPlan plan;
    private final DeviceLinkFactory connections;
    private final LossLedger ledger = new LossLedger();
    private final LatencyHistogram pubackLatency = new LatencyHistogram();
    private final List<SimulatedDevice> devices = new ArrayList<>();
    private final List<AlertExpectation> alertExpectations = new ArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final List<ScheduledFuture<?>> ticks = new ArrayList<>();
    private final BatchClock batchClock = new BatchClock();
    private final long[] batchIntervalNanos;
    /** System.nanoTime() at start: the batch clock counts from it. */
    private long origin;
    private boolean started;
    private boolean closed;

    /** A one-profile fleet from the command-line flags. */
    public Fleet(SimulatorConfig config, DeviceLinkFactory connections) {
        this(config.toPlan(), connections);
    }

    public Fleet(FleetPlan plan, DeviceLinkFactory connections) {
        this.plan = plan;
        this.connections = connections;
        this.scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "fleet-scheduler");
            thread.setDaemon(true);
            return thread;
        });
        Scenario scenario = plan.scenario();
        long connectSpacingNanos = TimeUnit.SECONDS.toNanos(1) / scenario.connectRate();
        batchIntervalNanos = new long[scenario.devices()];
        for (int i = 0; i < scenario.devices(); i++) {
            String deviceId = plan.deviceId(i);
            Profile profile = scenario.profileOf(i);
            List<SensorModel> sensors = profile.kind().sensors(profile.sensors(), deviceRandom(scenario.seed(), i));
            List<String> sensorNames = sensors.stream().map(SensorModel::name).toList();
            List<Anomaly> anomalies = scenario.anomaliesOf(i);
            DeviceLedger deviceLedger = ledger.device(deviceId, profile.name(), sensorNames);
            anomalies.stream().filter(a -> a.expectAlert() != null)
                    .forEach(a -> alertExpectations.add(new AlertExpectation(deviceLedger, a)));

            // The schedule, not the wall clock, gives each sample its virtual time: values repeat exactly per seed.
            long intervalNanos = profile.batchInterval().toNanos();
            batchIntervalNanos[i] = intervalNanos;
            long firstSample = connectSpacingNanos * i + intervalNanos * i / scenario.devices();
            batchClock.add(i, firstSample + intervalNanos, intervalNanos);
            BatchFactory batches = new BatchFactory(deviceId, sensors, profile.batchSize(),
                    profile.sampleInterval().toNanos() / 1e9, firstSample / 1e9,
                    anomalies.isEmpty() ? DeviceAnomalies.NONE : new DeviceAnomalies(anomalies, sensorNames));
            devices.add(new SimulatedDevice(deviceId, batches, connections.create(deviceId), deviceLedger, scheduler,
                    plan.maxInflightPerDevice(), Math.max(plan.publishTimeout().toNanos(), intervalNanos),
                    pubackLatency));
        }
    }

    /** The random source of device {@code index}: the seed alone decides it. */
    static SplittableRandom deviceRandom(long seed, int index) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
    }

    /** Connects every device and starts publishing. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("fleet already started");
        }
        started = true;
        Scenario scenario = plan.scenario();
        long connectSpacingNanos = TimeUnit.SECONDS.toNanos(1) / scenario.connectRate();
        origin = System.nanoTime();
        for (int i = 0; i < devices.size(); i++) {
            SimulatedDevice device = devices.get(i);
            long connectAt = connectSpacingNanos * i;
            if (connectAt == 0) {
                device.start();
            } else {
                scheduler.schedule(device::start, connectAt, TimeUnit.NANOSECONDS);
            }
        }
        long period = CLOCK_PERIOD.toNanos();
        ticks.add(scheduler.scheduleAtFixedRate(this::fireBatchClock, period, period, TimeUnit.NANOSECONDS));
        scheduleReconnectStorms(scenario);
        scheduleAlertExpectations();
        LOG.info("Fleet started [scenario: {}, devices: {}, profiles: {}, anomalies: {}, server: {}]", scenario.name(),
                devices.size(), scenario.profiles().size(), scenario.anomalies().size(), plan.mqttServerUri());
    }

    /**
     * An anomaly's alert is expected once the anomaly has played out in full while the fleet ran: a run stopped
     * earlier does not expect it (the cancelled schedule never records it).
     */
    private void scheduleAlertExpectations() {
        for (AlertExpectation expectation : alertExpectations) {
            Anomaly anomaly = expectation.anomaly();
            ticks.add(scheduler.schedule(() -> expectation.ledger().expectAlert(anomaly.expectAlert()),
                    anomaly.at().plus(anomaly.duration()).toNanos(), TimeUnit.NANOSECONDS));
        }
    }

    private record AlertExpectation(DeviceLedger ledger, Anomaly anomaly) {
    }

    private void scheduleReconnectStorms(Scenario scenario) {
        for (Anomaly anomaly : scenario.anomalies()) {
            if (anomaly.type() != Anomaly.Type.RECONNECT_STORM) {
                continue;
            }
            List<SimulatedDevice> hit = scenario.devicesOf(anomaly).stream().map(devices::get).toList();
            long end = anomaly.at().plus(anomaly.duration()).toNanos();
            for (long at = anomaly.at().toNanos(); at < end; at += anomaly.interval().toNanos()) {
                ticks.add(scheduler.schedule(() -> {
                    LOG.info("Reconnect storm: dropping {} connections", hit.size());
                    hit.forEach(SimulatedDevice::dropConnection);
                }, at, TimeUnit.NANOSECONDS));
            }
        }
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

    public FleetPlan config() {
        return plan;
    }

    /** Publish → PUBACK times of every device. */
    public LatencyHistogram pubackLatency() {
        return pubackLatency;
    }

    public int deviceCount() {
        return devices.size();
    }

    public int connectedDevices() {
        return (int) devices.stream().filter(SimulatedDevice::isConnected).count();
    }

    public int unsettledBatches() {
        return devices.stream().mapToInt(SimulatedDevice::unsettledBatches).sum();
    }

    public int inFlightBatches() {
        return devices.stream().mapToInt(SimulatedDevice::inFlightBatches).sum();
    }

    /** Publishes the gateway refused for now (0x80, 0x97, ...), each sent again after a pause. */
    public long refusedForNow() {
        return devices.stream().mapToLong(SimulatedDevice::refusedForNow).sum();
    }

    public long connectFailures() {
        return devices.stream().mapToLong(SimulatedDevice::connectFailures).sum();
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

    private void fireBatchClock() {
        batchClock.fire(System.nanoTime() - origin, i -> tick(devices.get(i), batchIntervalNanos[i]));
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
