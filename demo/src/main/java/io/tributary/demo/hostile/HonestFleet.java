package io.tributary.demo.hostile;

import io.tributary.simulator.config.SimulatorConfig;
import io.tributary.simulator.fleet.Fleet;
import io.tributary.simulator.transport.DeviceLink;
import io.tributary.mqtt.PubAck;
import io.tributary.simulator.transport.VertxMqttTransport;
import io.tributary.simulator.verify.InfluxVerifier;
import io.tributary.simulator.verify.VerificationReport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The honest devices: the device-simulator's fleet (its loss ledger, at-least-once re-sends, MQTT 5) publishing for
 * the whole run, every publish → PUBACK time recorded; and a connect prober that opens a fresh session for an honest
 * device every {@link #PROBE_INTERVAL}, timing CONNECT → CONNACK. Both record into HdrHistogram {@link Recorder}s, so
 * each phase of the run takes the histogram of its own interval.
 */
public final class HonestFleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HonestFleet.class);
    static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
    private static final int PROBERS = 3;
    private static final long HIGHEST_MICROS = Duration.ofMinutes(5).toNanos() / 1000;

    private final HostileCluster cluster;
    private final SimulatorConfig config;
    private final Fleet fleet;
    private final Recorder puback = new Recorder(HIGHEST_MICROS, 3);
    private final Recorder connack = new Recorder(HIGHEST_MICROS, 3);
    private final AtomicLong failedConnects = new AtomicLong();
    private final AtomicLong failedConnectsReported = new AtomicLong();
    private final List<String> proberIds;
    private final Map<String, byte[]> secrets;
    private final VertxMqttTransport transport;
    private final Thread prober = new Thread(this::probe, "honest-connect-prober");
    private volatile boolean probing = true;

    private HonestFleet(HostileCluster cluster, SimulatorConfig config, List<String> proberIds,
            Map<String, byte[]> secrets) {
        this.cluster = cluster;
        this.config = config;
        this.proberIds = proberIds;
        this.secrets = secrets;
        this.transport = new VertxMqttTransport(config.mqttServerUri(), secrets::get);
        // Fleet.close() does not close a factory given as a lambda: close() closes the transport after it.
        this.fleet = new Fleet(config, deviceId -> timed(transport.create(deviceId)));
        prober.setDaemon(true);
    }

    /**
     * Provisions {@code devices} honest devices (plus the prober's) and starts them publishing a batch of 2 sensors ×
     * 5 readings every {@code batchInterval}; returns once every device had a batch acknowledged.
     */
    public static HonestFleet start(HostileCluster cluster, String runId, int devices, Duration batchInterval)
            throws InterruptedException {
        SimulatorConfig config = new SimulatorConfig(cluster.mqttUri(), devices, runId, 2, batchInterval, 5, 8,
                Duration.ofSeconds(10));
        List<String> proberIds = IntStream.range(0, PROBERS).mapToObj(i -> config.devicePrefix() + "prober-" + i)
                .toList();
        List<String> ids = new ArrayList<>(config.deviceIds());
        ids.addAll(proberIds);
        HonestFleet honest = new HonestFleet(cluster, config, proberIds, cluster.kafka().provision(ids));
        honest.fleet.start();
        honest.awaitEveryDevicePublished(Duration.ofSeconds(90));
        honest.prober.start();
        return honest;
    }

    private void awaitEveryDevicePublished(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            var snapshot = fleet.ledger().snapshot();
            if (snapshot.size() == fleet.deviceCount()
                    && snapshot.values().stream().allMatch(s -> s.publishedBatches() > 0)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the honest fleet did not get a batch acknowledged per device within "
                + timeout + ": " + fleet.ledger().totals());
    }

    /** What the honest devices' ids start with (the prober's included). */
    public String devicePrefix() {
        return config.devicePrefix();
    }

    /** The PUBACK times (microseconds) since the last call. */
    public Histogram pubackInterval() {
        return puback.getIntervalHistogram();
    }

    /** The CONNACK times (microseconds) of the prober since the last call. */
    public Histogram connackInterval() {
        return connack.getIntervalHistogram();
    }

    /** Prober connects refused or unanswered (5 s) since the last call. */
    public long failedConnectsInterval() {
        long now = failedConnects.get();
        return now - failedConnectsReported.getAndSet(now);
    }

    /**
     * Stops publishing, waits for every batch to settle, and holds the ledger against InfluxDB (waiting up to
     * {@code settle} for the processor to store what is still on its way).
     */
    public VerificationReport stopAndVerify(Duration settle) throws InterruptedException {
        probing = false;
        prober.interrupt();
        boolean settled = fleet.stop(Duration.ofSeconds(60));
        if (!settled) {
            LOG.warn("Honest batches still unacknowledged at the end: {}", fleet.unsettledBatches());
        }
        try (InfluxVerifier verifier = new InfluxVerifier(cluster.influx())) {
            // Only the publishing devices: the prober's devices publish nothing.
            Map<String, io.tributary.simulator.ledger.DeviceLedger.Snapshot> ledger = fleet.ledger().snapshot();
            return verifier.verifyWithin(config.devicePrefix() + "0", () -> ledger, settle);
        }
    }

    /** One session of prober {@code id}: the CONNACK code, -1 if none within 5 s. */
    private int connect(String id) {
        long started = System.nanoTime();
        try (MqttWire.RawClient client = MqttWire.RawClient.open(cluster.mqttHost(), cluster.mqttPort(), null,
                Duration.ofSeconds(5), false)) {
            MqttWire.Packet answer = client.connect(id, secrets.get(id), 30);
            int code = answer == null || answer.type() != MqttWire.CONNACK ? -1 : answer.connackCode();
            if (code == 0) {
                connack.recordValue(Math.min(HIGHEST_MICROS, (System.nanoTime() - started) / 1000));
                client.trySend(MqttWire.disconnect());
            }
            return code;
        } catch (IOException e) {
            return -1;
        }
    }

    private void probe() {
        int next = 0;
        while (probing) {
            String id = proberIds.get(next++ % PROBERS);
            int code = connect(id);
            if (code != 0) {
                failedConnects.incrementAndGet();
                LOG.info("An honest device could not connect [device: {}, answer: {}]", id, code);
            }
            try {
                Thread.sleep(PROBE_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        probing = false;
        prober.interrupt();
        fleet.close();
        transport.close();
    }

    /** The simulator's connection, each publish timed from the call to its PUBACK. */
    private DeviceLink timed(DeviceLink delegate) {
        return new DeviceLink() {
            @Override
            public CompletionStage<Void> connect() {
                return delegate.connect();
            }

            @Override
            public CompletionStage<PubAck> publish(String topic, byte[] payload) {
                long started = System.nanoTime();
                return delegate.publish(topic, payload).whenComplete((outcome, error) -> {
                    if (error == null) {
                        puback.recordValue(Math.min(HIGHEST_MICROS, (System.nanoTime() - started) / 1000));
                    }
                });
            }

            @Override
            public void onConnectionLost(Runnable listener) {
                delegate.onConnectionLost(listener);
            }

            @Override
            public void drop() {
                delegate.drop();
            }

            @Override
            public void close() {
                delegate.close();
            }
        };
    }
}
