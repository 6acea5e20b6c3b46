package io.tributary.demo.bench;

import io.tributary.demo.measure.InfluxQl;
import io.tributary.common.KafkaClientConfig;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttReturnCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A probe device that measures the pipeline's latencies while the fleet loads it: every {@code interval} it publishes
 * one reading over real MQTT (QoS 1) through the gateway and times, from the publish call,
 * <ul>
 *   <li>the PUBACK (the gateway acknowledges after Kafka did);</li>
 *   <li>the batch readable on the telemetry topic (a consumer on the probe's partition);</li>
 *   <li>its alert transition readable on the alerts topic ({@code read_committed}, as Streams writes it exactly once):
 *       the probe alternates humidity 30 and 50, so the demo rule {@code humidity_low} (below 38, clear at 40) fires
 *       and resolves on every reading;</li>
 *   <li>the reading returned by an InfluxQL query (polled every {@link #QUERY_POLL}).</li>
 * </ul>
 * Each hop is matched by the reading's event time, unique per probe reading. A reading not seen on a hop within
 * {@link #GIVE_UP} counts as missed on that hop.
 */
final class Probe implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Probe.class);
    static final String SENSOR = "humidity";
    static final String RULE = "humidity_low";
    private static final double FIRING_VALUE = 30;
    private static final double CLEARING_VALUE = 50;
    private static final Duration QUERY_POLL = Duration.ofMillis(20);
    private static final Duration GIVE_UP = Duration.ofSeconds(15);
    private static final long ACK_TIMEOUT_MS = 15_000;

    /** Where the probe publishes and where it looks for its reading. */
    record Target(String mqttUri, KafkaClientConfig kafka, String telemetryTopic, String alertsTopic,
            String influxQueryUrl, String influxDatabase) {
    }

    final LatencyHop puback = LatencyHop.unordered();
    final LatencyHop kafka = LatencyHop.unordered();
    final LatencyHop alert = LatencyHop.unordered();
    final LatencyHop queryable = LatencyHop.ordered();

    private final Target target;
    private final String deviceId;
    private final Duration interval;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean listening = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final byte[] password;
    private MqttAsyncClient mqtt;
    private long batchSeq;
    private long lastEventNanos;

    /** A probe device; {@code password} is its registry secret, or null for a gateway without authentication. */
    Probe(Target target, String deviceId, byte[] password, Duration interval) {
        this.target = target;
        this.deviceId = deviceId;
        this.password = password == null ? null : password.clone();
        this.interval = interval;
    }

    /** Connects, starts the listeners and then publishing. */
    void start() throws MqttException {
        mqtt = new MqttAsyncClient(target.mqttUri(), deviceId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(deviceId);
        if (password != null) {
            options.setPassword(password);
        }
        options.setCleanStart(true);
        options.setAutomaticReconnect(true);
        connectOnceTheGatewayKnowsTheDevice(options);
        listening.set(true);
        running.set(true);
        if (target.kafka() != null) { // a stack without Kafka (bench peers): PUBACK and queryable only
            ProbeConsumers consumers = new ProbeConsumers(target, deviceId, listening::get);
            threads.add(thread("kafka", () -> consumers.watchTelemetry(kafka)));
            threads.add(thread("alerts", () -> consumers.watchAlerts(RULE, alert)));
        }
        InfluxQl influx = new InfluxQl(target.influxQueryUrl(), target.influxDatabase(), "ns");
        threads.add(thread("query", () -> pollInflux(influx)));
        // Let the consumers take their positions before the first probe is sent.
        LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
        threads.add(thread("publish", this::publishLoop));
    }

    /**
     * A gateway learns a provisioned device from the registry topic a moment after the provisioning returned: until
     * then it refuses the credentials, so those refusals are retried for a while.
     */
    private void connectOnceTheGatewayKnowsTheDevice(MqttConnectionOptions options) throws MqttException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                mqtt.connect(options).waitForCompletion(ACK_TIMEOUT_MS);
                return;
            } catch (MqttException e) {
                boolean refused = e.getReasonCode() == MqttReturnCode.RETURN_CODE_BAD_USERNAME_OR_PASSWORD
                        || e.getReasonCode() == MqttReturnCode.RETURN_CODE_NOT_AUTHORIZED;
                if (!refused || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
        }
    }

    private Thread thread(String name, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                LOG.warn("Probe {} thread failed", name, e);
            }
        }, "tributary-bench-probe-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void publishLoop() {
        long next = System.nanoTime();
        while (running.get()) {
            publishOne();
            next += interval.toNanos();
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else {
                next = System.nanoTime();
            }
        }
    }

    private void publishOne() {
        long eventNanos = Math.max(System.currentTimeMillis() * 1_000_000L, lastEventNanos + 1);
        lastEventNanos = eventNanos;
        batchSeq++;
        ReadingBatch batch = ReadingBatch.newBuilder().setDeviceId(deviceId).setBatchSeq(batchSeq)
                .setCreatedAtUnixNanos(eventNanos)
                .addReadings(Reading.newBuilder().setSensor(SENSOR).setUnit("%")
                        .setValue(batchSeq % 2 == 1 ? FIRING_VALUE : CLEARING_VALUE)
                        .setEventTimeUnixNanos(eventNanos))
                .build();
        MqttMessage message = new MqttMessage(batch.toByteArray());
        message.setQos(1);
        long sent = System.nanoTime();
        hops().forEach(hop -> hop.expect(eventNanos, sent));
        try {
            IMqttToken token = mqtt.publish("devices/" + deviceId + "/telemetry", message);
            token.waitForCompletion(ACK_TIMEOUT_MS);
            puback.arrived(eventNanos, System.nanoTime());
        } catch (MqttException e) {
            LOG.warn("Probe publish failed [seq: {}]: {}", batchSeq, e.toString());
        }
    }

    /** One InfluxQL query per poll for every probe reading not yet seen: cheap for influxd, 20 ms resolution. */
    private void pollInflux(InfluxQl influx) {
        while (listening.get()) {
            long giveUpBefore = System.nanoTime() - GIVE_UP.toNanos();
            hops().forEach(hop -> hop.giveUpOlderThan(giveUpBefore));
            Long oldest = queryable.oldestPending();
            if (oldest != null) {
                try {
                    for (JsonArray row : influx.query("SELECT value FROM readings WHERE device = '" + deviceId
                            + "' AND time >= " + oldest)) {
                        queryable.arrived(row.getLong(0), System.nanoTime());
                    }
                } catch (RuntimeException e) {
                    LOG.debug("Probe query failed", e);
                }
            }
            LockSupport.parkNanos(QUERY_POLL.toNanos());
        }
    }

    /** Stops publishing, waits {@code settle} for the last probes on every hop, then stops listening. */
    void stop(Duration settle) {
        running.set(false);
        LockSupport.parkNanos(settle.toNanos());
        listening.set(false);
        for (Thread thread : threads) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        hops().forEach(hop -> hop.giveUpOlderThan(Long.MAX_VALUE));
    }

    private List<LatencyHop> hops() {
        return List.of(puback, kafka, alert, queryable);
    }

    long sent() {
        return batchSeq;
    }

    @Override
    public void close() {
        running.set(false);
        listening.set(false);
        if (mqtt != null) {
            try {
                if (mqtt.isConnected()) {
                    mqtt.disconnect().waitForCompletion(5_000);
                }
                mqtt.close();
            } catch (MqttException e) {
                LOG.debug("Probe disconnect failed", e);
            }
        }
    }
}
