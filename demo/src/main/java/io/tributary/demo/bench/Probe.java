package io.tributary.demo.bench;

import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
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
    record Target(String mqttUri, String kafkaBootstrap, String telemetryTopic, String alertsTopic,
            String influxQueryUrl, String influxDatabase) {
    }

    /** The latencies of one hop in milliseconds, and the probe readings never seen there. */
    static final class Hop {
        final List<Double> millis = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong missed = new AtomicLong();
        private final Map<Long, Long> pending;

        Hop(Map<Long, Long> pending) {
            this.pending = pending;
        }

        void expect(long eventNanos, long sentNanos) {
            pending.put(eventNanos, sentNanos);
        }

        void arrived(long eventNanos, long arrivedNanos) {
            Long sent = pending.remove(eventNanos);
            if (sent != null) {
                millis.add((arrivedNanos - sent) / 1e6);
            }
        }

        void giveUpOlderThan(long nanos) {
            pending.entrySet().removeIf(e -> {
                boolean old = e.getValue() < nanos;
                if (old) {
                    missed.incrementAndGet();
                }
                return old;
            });
        }

        List<Double> snapshot() {
            synchronized (millis) {
                return new ArrayList<>(millis);
            }
        }
    }

    final Hop puback = new Hop(new ConcurrentHashMap<>());
    final Hop kafka = new Hop(new ConcurrentHashMap<>());
    final Hop alert = new Hop(new ConcurrentHashMap<>());
    final Hop queryable = new Hop(new ConcurrentSkipListMap<>());

    private final Target target;
    private final String deviceId;
    private final Duration interval;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean listening = new AtomicBoolean();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
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
        threads.add(thread("kafka", this::watchTelemetry));
        threads.add(thread("alerts", this::watchAlerts));
        threads.add(thread("query", this::pollInflux));
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
        for (Hop hop : List.of(puback, kafka, alert, queryable)) {
            hop.expect(eventNanos, sent);
        }
        try {
            IMqttToken token = mqtt.publish("devices/" + deviceId + "/telemetry", message);
            token.waitForCompletion(ACK_TIMEOUT_MS);
            puback.arrived(eventNanos, System.nanoTime());
        } catch (MqttException e) {
            LOG.warn("Probe publish failed [seq: {}]: {}", batchSeq, e.toString());
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, target.kafkaBootstrap());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tributary-bench-probe");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /** Reads only the probe's partition: the gateway keys telemetry by device id with Kafka's default partitioner. */
    private void watchTelemetry() {
        byte[] key = deviceId.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_uncommitted")) {
            List<PartitionInfo> partitions = awaitPartitions(consumer, target.telemetryTopic());
            if (partitions.isEmpty()) {
                return;
            }
            TopicPartition mine = new TopicPartition(target.telemetryTopic(),
                    partitionForKey(key, partitions.size()));
            consumer.assign(List.of(mine));
            consumer.seekToEnd(List.of(mine));
            consumer.position(mine);
            while (listening.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    long arrived = System.nanoTime();
                    if (!java.util.Arrays.equals(key, record.key())) {
                        continue;
                    }
                    try {
                        ReadingBatch batch = ReadingBatch.parseFrom(record.value());
                        kafka.arrived(batch.getReadings(0).getEventTimeUnixNanos(), arrived);
                    } catch (IOException | IndexOutOfBoundsException e) {
                        // not a probe batch
                    }
                }
            }
        }
    }

    /** Kafka's default partitioner for a keyed record: murmur2 of the key bytes. */
    static int partitionForKey(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    private void watchAlerts() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_committed")) {
            List<PartitionInfo> partitions = awaitPartitions(consumer, target.alertsTopic());
            if (partitions.isEmpty()) {
                return;
            }
            List<TopicPartition> all = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(all);
            consumer.seekToEnd(all);
            all.forEach(consumer::position);
            while (listening.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    long arrived = System.nanoTime();
                    try {
                        AlertEvent event = AlertEvent.parseFrom(record.value());
                        if (event.getDeviceId().equals(deviceId) && event.getRule().equals(RULE)) {
                            alert.arrived(event.getTransitionTimeUnixNanos(), arrived);
                        }
                    } catch (IOException e) {
                        // not an alert event
                    }
                }
            }
        }
    }

    private List<PartitionInfo> awaitPartitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (listening.get() && System.nanoTime() < deadline) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic);
            if (partitions != null && !partitions.isEmpty()) {
                return partitions;
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        LOG.warn("Topic {} has no partitions: the probe cannot watch it", topic);
        return List.of();
    }

    /** One InfluxQL query per poll for every probe reading not yet seen: cheap for influxd, 20 ms resolution. */
    private void pollInflux() {
        ConcurrentSkipListMap<Long, Long> pending = (ConcurrentSkipListMap<Long, Long>) queryable.pending;
        while (listening.get()) {
            long giveUpBefore = System.nanoTime() - GIVE_UP.toNanos();
            for (Hop hop : List.of(puback, kafka, alert, queryable)) {
                hop.giveUpOlderThan(giveUpBefore);
            }
            Map.Entry<Long, Long> oldest = pending.firstEntry();
            if (oldest != null) {
                try {
                    for (long time : storedProbeTimes(oldest.getKey())) {
                        queryable.arrived(time, System.nanoTime());
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Probe query failed", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            LockSupport.parkNanos(QUERY_POLL.toNanos());
        }
    }

    private List<Long> storedProbeTimes(long fromNanos) throws IOException, InterruptedException {
        String query = "SELECT value FROM readings WHERE device = '" + deviceId + "' AND time >= " + fromNanos;
        String form = "db=" + URLEncoder.encode(target.influxDatabase(), StandardCharsets.UTF_8) + "&epoch=ns&q="
                + URLEncoder.encode(query, StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(target.influxQueryUrl()
                        + "/query")).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        return parseTimes(response.body());
    }

    /** The point times of an InfluxQL JSON answer ({@code epoch=ns}); empty when it holds no series. */
    static List<Long> parseTimes(String body) {
        List<Long> times = new ArrayList<>();
        JsonArray results = new JsonObject(body).getJsonArray("results", new JsonArray());
        for (int r = 0; r < results.size(); r++) {
            JsonArray series = results.getJsonObject(r).getJsonArray("series", new JsonArray());
            for (int s = 0; s < series.size(); s++) {
                JsonArray values = series.getJsonObject(s).getJsonArray("values", new JsonArray());
                for (int v = 0; v < values.size(); v++) {
                    times.add(((Number) values.getJsonArray(v).getValue(0)).longValue());
                }
            }
        }
        return times;
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
        for (Hop hop : List.of(puback, kafka, alert, queryable)) {
            hop.giveUpOlderThan(Long.MAX_VALUE);
        }
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
