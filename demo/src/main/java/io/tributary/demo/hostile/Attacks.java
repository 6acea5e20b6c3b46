package io.tributary.demo.hostile;

import io.tributary.proto.v1.ReadingBatch;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attacks of the hostile-device suite, each written as a hostile client would: raw MQTT bytes from
 * {@link MqttWire}, records written straight into Kafka, a lying InfluxDB. Each returns what the attacker saw; the
 * suite ({@code HostileDevicesIT}) asserts on it and the benchmark ({@link HostileBench}) reports it. Attackers that
 * flood come from their own loopback address (127.0.0.2 and up), so throttling by address can tell them from the
 * honest fleet (127.0.0.1), as it would tell two hosts apart.
 */
public final class Attacks {

    private static final Logger LOG = LoggerFactory.getLogger(Attacks.class);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    public static final String HUGE = "hostile-huge";
    public static final String CONTRACT = "hostile-contract";
    public static final String KAFKA_POISON = "hostile-kafka";
    public static final String SENSORS = "hostile-sensors";
    public static final String FLOOD = "hostile-flood";
    public static final String CLONE = "hostile-clone";
    public static final String QUOTA = "hostile-quota";
    public static final String QOS0 = "hostile-qos0";
    public static final String SLOW = "hostile-slow";
    public static final String FUZZ = "hostile-fuzz";
    public static final String ITERATIONS = "hostile-iterations";
    /** Every provisioned attacker (the iterations attacker's record is forged, not provisioned). */
    public static final List<String> DEVICES = List.of(HUGE, CONTRACT, SENSORS, FLOOD, CLONE, QUOTA, QOS0, SLOW,
            FUZZ);

    private final HostileCluster cluster;
    private final Map<String, byte[]> secrets;

    public Attacks(HostileCluster cluster, Map<String, byte[]> secrets) {
        this.cluster = cluster;
        this.secrets = secrets;
    }

    /** Provisions the attackers' devices: they hold valid secrets, as a stolen or cloned device would. */
    public static Attacks prepare(HostileCluster cluster) throws InterruptedException {
        return new Attacks(cluster, cluster.provision(DEVICES));
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private MqttWire.RawClient open(InetAddress source) throws IOException {
        return MqttWire.RawClient.open(cluster.mqttHost(), cluster.mqttPort(), source, ANSWER_TIMEOUT);
    }

    /** A connected MQTT 5 session of {@code device} (retrying while the gateway still learns the device). */
    private MqttWire.RawClient session(String device, int keepAlive) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            MqttWire.RawClient client = open(null);
            client.send(MqttWire.connect(MqttWire.LEVEL_5, device, device, secrets.get(device), keepAlive));
            MqttWire.Packet answer = client.await(MqttWire.CONNACK);
            if (answer != null && answer.type() == MqttWire.CONNACK && answer.connackCode() == 0) {
                return client;
            }
            client.close();
            if (System.nanoTime() > deadline) {
                throw new IOException(device + " could not connect: " + answer);
            }
            Thread.sleep(500);
        }
    }

    /** Publishes QoS 1 and returns the PUBACK code; -1 if the connection closed instead. */
    private static int publishAndAwait(MqttWire.RawClient client, String device, int packetId, byte[] payload)
            throws IOException {
        client.send(MqttWire.publish(true, 1, "devices/" + device + "/telemetry", packetId, payload));
        MqttWire.Packet answer = client.await(MqttWire.PUBACK);
        if (answer == null) {
            return -1;
        }
        return answer.type() == MqttWire.PUBACK ? answer.pubackCode() : -(answer.disconnectCode());
    }

    private static String code(int code) {
        return code < 0 ? "closed" : String.format("PUBACK 0x%02x", code);
    }

    // ---- Input contract ------------------------------------------------------------------------------------------

    /** Two readings of 1e308 in one 10 s window: finite, so accepted, and their rollup must stay finite. */
    public AttackResult hugeValues() throws IOException, InterruptedException {
        AttackResult result = new AttackResult("two readings of 1e308 in one window");
        long windowStart = (Batches.nowNanos() - 3_000_000_000L) / 10_000_000_000L * 10_000_000_000L;
        byte[] batch = Batches.batch(HUGE)
                .addReadings(Batches.reading("pressure", 1e308, windowStart + 1_000_000))
                .addReadings(Batches.reading("pressure", 1e308, windowStart + 2_000_000))
                .build().toByteArray();
        try (MqttWire.RawClient client = session(HUGE, 30)) {
            int code = publishAndAwait(client, HUGE, 1, batch);
            result.answer(code(code));
            result.fact("puback", code).fact("window_start_ms", windowStart / 1_000_000);
        }
        return result.end();
    }

    /**
     * Readings that break the contract, each in a batch with valid readings, published by an authenticated device:
     * year 2200, year 1990 (older than the maximum age), NaN, +Infinity, a sensor name with a character above 0xFF, a
     * 300-character sensor name. Each batch must be refused whole (0x99).
     */
    public AttackResult contractAtTheDoor() throws IOException, InterruptedException {
        AttackResult result = new AttackResult("readings that break the input contract, at the door");
        long now = Batches.nowNanos();
        Map<String, byte[]> cases = new java.util.LinkedHashMap<>();
        cases.put("year_2200", Batches.withOdd(CONTRACT, 3,
                Batches.reading("temperature", 21, Instant.parse("2200-01-01T00:00:00Z").getEpochSecond()
                        * 1_000_000_000L)));
        cases.put("year_1990", Batches.withOdd(CONTRACT, 3,
                Batches.reading("temperature", 21, Instant.parse("1990-01-01T00:00:00Z").getEpochSecond()
                        * 1_000_000_000L)));
        cases.put("nan", Batches.withOdd(CONTRACT, 3, Batches.reading("temperature", Double.NaN, now)));
        cases.put("infinity", Batches.withOdd(CONTRACT, 3,
                Batches.reading("temperature", Double.POSITIVE_INFINITY, now + 1)));
        cases.put("sensor_above_0xff", Batches.withOdd(CONTRACT, 3,
                Batches.reading("temp\u0100\u20ac\uD83D\uDD25", 21, now + 2)));
        cases.put("sensor_300_chars", Batches.withOdd(CONTRACT, 3, Batches.reading("s".repeat(300), 21, now + 3)));
        try (MqttWire.RawClient client = session(CONTRACT, 30)) {
            int packetId = 1;
            for (Map.Entry<String, byte[]> one : cases.entrySet()) {
                int code = publishAndAwait(client, CONTRACT, packetId++, one.getValue());
                result.answer(code(code));
                result.fact(one.getKey(), code);
                if (code < 0) {
                    client.close();
                    break;
                }
            }
        }
        return result.end();
    }

    /**
     * The same kinds of records written straight into the Kafka telemetry topic by a producer (not through the
     * gateway): the processor must dead-letter them and go on.
     */
    public AttackResult poisonInKafka() {
        AttackResult result = new AttackResult("contract-breaking records written straight into Kafka");
        long now = Batches.nowNanos();
        List<byte[]> records = List.of(
                Batches.withOdd(KAFKA_POISON, 2, Batches.reading("temperature", 21,
                        Instant.parse("2200-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L)),
                Batches.withOdd(KAFKA_POISON, 2, Batches.reading("temperature", Double.NaN, now)),
                Batches.withOdd(KAFKA_POISON, 2, Batches.reading("temp\u0100", 21, now + 1)),
                "not a batch at all".getBytes(StandardCharsets.UTF_8));
        for (byte[] record : records) {
            cluster.produce("telemetry", KAFKA_POISON, record);
        }
        result.fact("records", records.size());
        result.answer("written to Kafka");
        return result.end();
    }

    /**
     * One device invents new sensor names, 100 per batch, up to {@code maxSensors}: series cardinality. Stops at the
     * first refusal.
     */
    public AttackResult tooManySensors(int maxSensors) throws IOException, InterruptedException {
        AttackResult result = new AttackResult("too many distinct sensors from one device");
        int accepted = 0;
        try (MqttWire.RawClient client = session(SENSORS, 30)) {
            int packetId = 1;
            for (int first = 0; first < maxSensors; first += 100) {
                ReadingBatch.Builder batch = Batches.batch(SENSORS);
                long t = Batches.nowNanos();
                for (int i = first; i < first + 100; i++) {
                    batch.addReadings(Batches.reading(String.format("s%05d", i), i, t));
                }
                int code = publishAndAwait(client, SENSORS, packetId++, batch.build().toByteArray());
                result.answer(code(code));
                if (code != 0) {
                    result.fact("first_refusal", code);
                    break;
                }
                accepted = first + 100;
            }
        }
        result.fact("distinct_sensors_accepted", accepted);
        return result.end();
    }

    // ---- Authentication -------------------------------------------------------------------------------------------

    /**
     * {@code clients} threads from 127.0.0.2 send CONNECTs with a known device id and wrong passwords as fast as they
     * can for {@code duration}, each on a new connection.
     */
    public AttackResult wrongPasswordFlood(Duration duration, int clients) throws InterruptedException {
        AttackResult result = new AttackResult("wrong-password CONNECT flood from one address");
        InetAddress source = address("127.0.0.2");
        double cpuBefore = cluster.gatewayCpuSeconds();
        AtomicLong attempts = new AtomicLong();
        long deadline = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread thread = new Thread(() -> {
                byte[] wrong = ("wrong-" + client).getBytes(StandardCharsets.UTF_8);
                while (System.nanoTime() < deadline) {
                    attempts.incrementAndGet();
                    try (MqttWire.RawClient raw = MqttWire.RawClient.open(cluster.mqttHost(), cluster.mqttPort(),
                            source, Duration.ofSeconds(5))) {
                        raw.send(MqttWire.connect(MqttWire.LEVEL_5, FLOOD, FLOOD, wrong, 30));
                        MqttWire.Packet answer = raw.await(MqttWire.CONNACK);
                        result.answer(answer == null ? "closed" : answer.toString());
                    } catch (SocketTimeoutException e) {
                        result.answer("no answer within 5 s");
                    } catch (IOException e) {
                        result.answer("connection refused or reset");
                    }
                }
            }, "flood-" + c);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double cpu = cluster.gatewayCpuSeconds() - cpuBefore;
        result.fact("attempts", attempts.get()).fact("gateway_cpu_seconds", cpu)
                .fact("connects_per_s", attempts.get() / (double) duration.toSeconds())
                .fact("gateway_cpu_seconds_per_1000_refused", attempts.get() == 0 ? Double.NaN
                        : cpu * 1000.0 / attempts.get());
        return result.end();
    }

    /**
     * A registry record for a new device id with {@code iterations = 2^31 − 1} (a valid hash otherwise), written
     * straight into the registry topic; then CONNECTs with that id. Each must be answered (refused) promptly.
     */
    public AttackResult registryIterations() throws IOException {
        AttackResult result = new AttackResult("registry record with iterations 2^31-1");
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        byte[] hash = new byte[32];
        random.nextBytes(salt);
        random.nextBytes(hash);
        JsonObject record = new JsonObject().put("device", ITERATIONS).put("enabled", true)
                .put("algorithm", "PBKDF2WithHmacSHA256").put("iterations", Integer.MAX_VALUE)
                .put("salt", Base64.getEncoder().encodeToString(salt))
                .put("hash", Base64.getEncoder().encodeToString(hash))
                .put("updated", Instant.now().toString());
        cluster.produce("devices", ITERATIONS, record.encode().getBytes(StandardCharsets.UTF_8));
        try {
            Thread.sleep(1_000); // the gateway follows the registry topic within a poll
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long slowest = 0;
        for (int i = 0; i < 2; i++) {
            long started = System.nanoTime();
            try (MqttWire.RawClient client = MqttWire.RawClient.open(cluster.mqttHost(), cluster.mqttPort(), null,
                    Duration.ofSeconds(5))) {
                client.send(MqttWire.connect(MqttWire.LEVEL_5, ITERATIONS, ITERATIONS,
                        "guess".getBytes(StandardCharsets.UTF_8), 30));
                MqttWire.Packet answer = client.await(MqttWire.CONNACK);
                result.answer(answer == null ? "closed" : answer.toString());
            } catch (SocketTimeoutException e) {
                result.answer("no answer within 5 s");
            }
            slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
        }
        result.fact("slowest_answer_ms", slowest);
        return result.end();
    }

    // ---- Fairness -------------------------------------------------------------------------------------------------

    /**
     * {@code count} connections with one device's secret (keep-alive 0), one after the other: only the last may stay;
     * each earlier one must be taken over (MQTT 5: DISCONNECT 0x8E).
     */
    public AttackResult clones(int count) throws IOException, InterruptedException {
        AttackResult result = new AttackResult(count + " connections with one device's secret");
        List<MqttWire.RawClient> clients = new ArrayList<>();
        try {
            session(CLONE, 0).close(); // the gateway knows the device
            for (int i = 0; i < count; i++) {
                MqttWire.RawClient client = open(null);
                clients.add(client);
                client.send(MqttWire.connect(MqttWire.LEVEL_5, CLONE, CLONE, secrets.get(CLONE), 0));
                MqttWire.Packet answer = client.await(MqttWire.CONNACK);
                result.answer("CONNECT: " + (answer == null ? "closed" : answer.toString()));
            }
            Thread.sleep(1_000);
            int live = 0;
            for (MqttWire.RawClient client : clients) {
                String end = ending(client, Duration.ofMillis(300));
                if (end.equals("open")) {
                    live++;
                }
                result.answer("then: " + end);
            }
            result.fact("live", live);
        } finally {
            clients.forEach(MqttWire.RawClient::close);
        }
        return result.end();
    }

    /** How a connection ended, reading what is left: {@code DISCONNECT 0x8e}, {@code closed}, or {@code open}. */
    private static String ending(MqttWire.RawClient client, Duration wait) throws IOException {
        String last = "closed";
        client.soTimeout(wait);
        try {
            while (true) {
                MqttWire.Packet packet = client.read();
                if (packet == null) {
                    return last;
                }
                if (packet.type() == MqttWire.DISCONNECT) {
                    last = packet.toString();
                }
            }
        } catch (SocketTimeoutException e) {
            return last.equals("closed") ? "open" : last + " (still open)";
        }
    }

    /**
     * One MQTT 5 device publishes small QoS 1 batches as fast as it can for {@code duration}, up to 48 unanswered
     * (below the gateway's Receive Maximum of 64), a reader thread counting the answers: the per-device quota must
     * answer 0x97.
     */
    public AttackResult publishQuota(Duration duration) throws IOException, InterruptedException {
        AttackResult result = new AttackResult("one device over its publish quota (QoS 1, MQTT 5)");
        long deadline = System.nanoTime() + duration.toNanos();
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(48);
        AtomicLong sent = new AtomicLong();
        AtomicBoolean closed = new AtomicBoolean();
        try (MqttWire.RawClient client = session(QUOTA, 30)) {
            Thread reader = new Thread(() -> {
                try {
                    while (!closed.get()) {
                        MqttWire.Packet answer = client.await(MqttWire.PUBACK);
                        if (answer == null || answer.type() != MqttWire.PUBACK) {
                            result.answer(answer == null ? "closed" : answer.toString());
                            closed.set(true);
                            break;
                        }
                        result.answer(answer.toString());
                        window.release();
                    }
                } catch (IOException e) {
                    if (!closed.get()) {
                        result.answer("no PUBACK within 10 s");
                        closed.set(true);
                    }
                }
                window.release(48);
            }, "quota-reader");
            reader.start();
            int packetId = 1;
            while (System.nanoTime() < deadline && !closed.get()) {
                if (!window.tryAcquire(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    continue;
                }
                if (!client.trySend(MqttWire.publish(true, 1, "devices/" + QUOTA + "/telemetry", packetId,
                        Batches.small(QUOTA)))) {
                    break;
                }
                packetId = packetId == 65_535 ? 1 : packetId + 1;
                sent.incrementAndGet();
            }
            window.tryAcquire(48, 10, java.util.concurrent.TimeUnit.SECONDS); // the last answers
            closed.set(true);
            client.close();
            reader.join(5_000);
        }
        result.fact("publishes", sent.get()).fact("publishes_per_s", sent.get() / (double) duration.toSeconds());
        return result.end();
    }

    /**
     * One MQTT 5 device floods QoS 0 telemetry (one reading each) as fast as it can for {@code duration}. QoS 0 has
     * no PUBACK: the answer shows as what was stored (counted at the end) and how the connection ended.
     */
    public AttackResult qos0Flood(Duration duration) throws IOException, InterruptedException {
        AttackResult result = new AttackResult("QoS 0 flood from one device");
        long deadline = System.nanoTime() + duration.toNanos();
        long sent = 0;
        try (MqttWire.RawClient client = session(QOS0, 30)) {
            while (System.nanoTime() < deadline) {
                if (!client.trySend(MqttWire.publish(true, 0, "devices/" + QOS0 + "/telemetry", 0,
                        Batches.small(QOS0)))) {
                    result.answer("connection closed by the gateway");
                    break;
                }
                sent++;
            }
            if (sent > 0 && System.nanoTime() >= deadline) {
                result.answer(ending(client, Duration.ofMillis(500)));
            }
        }
        result.fact("publishes", sent).fact("publishes_per_s", sent / (double) duration.toSeconds());
        return result.end();
    }

    /**
     * A device that never reads its socket (smallest receive buffer) and subscribes to its configuration topic again
     * and again: each SUBACK brings the device's configuration (64 KiB, set by the operator), so the answers pile up
     * in the gateway, beyond the kernel's socket buffers, unless it cuts the connection off. Between subscriptions it
     * publishes to another device's topic (answered at once, PUBACK 0x87).
     */
    public AttackResult slowReader(Duration duration) throws IOException, InterruptedException {
        AttackResult result = new AttackResult("a client that never reads its socket");
        byte[] config = new byte[64 * 1024];
        java.util.Arrays.fill(config, (byte) 'x');
        cluster.setDeviceConfig(SLOW, config);
        Thread.sleep(1_000); // the gateway follows the configuration topic within a poll
        long deadline = System.nanoTime() + duration.toNanos();
        long started = System.nanoTime();
        // CONNECT and go on at once: even the CONNACK stays unread in the client's receive buffer
        try (MqttWire.RawClient unread = MqttWire.RawClient.openUnread(cluster.mqttHost(), cluster.mqttPort(),
                ANSWER_TIMEOUT)) {
            unread.send(MqttWire.connect(MqttWire.LEVEL_5, SLOW, SLOW, secrets.get(SLOW), 0));
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong subscribes = new AtomicLong();
            Thread writer = new Thread(() -> {
                int packetId = 1;
                byte[] payload = Batches.small(SLOW);
                String foreign = "devices/" + HUGE + "/telemetry";
                String configTopic = "devices/" + SLOW + "/config";
                while (!done.get()) {
                    if (!unread.trySend(MqttWire.subscribe(packetId, configTopic))) {
                        return;
                    }
                    subscribes.incrementAndGet();
                    packetId = packetId == 65_535 ? 1 : packetId + 1;
                    for (int i = 0; i < 10; i++) {
                        if (!unread.trySend(MqttWire.publish(true, 1, foreign, packetId, payload))) {
                            return;
                        }
                        packetId = packetId == 65_535 ? 1 : packetId + 1;
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "slow-reader-writer");
            writer.start();
            writer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            boolean cutOff = !writer.isAlive();
            long cutOffMs = (System.nanoTime() - started) / 1_000_000;
            done.set(true);
            writer.interrupt();
            unread.close(); // unblocks a writer stuck in a full socket
            writer.join(5_000);
            result.answer(cutOff ? "cut off by the gateway" : "still connected after " + duration.toSeconds() + " s");
            result.fact("cut_off", cutOff).fact("subscribes", subscribes.get())
                    .fact("configuration_bytes_asked_for", subscribes.get() * config.length);
            if (cutOff) {
                result.fact("cut_off_after_ms", cutOffMs);
            }
        }
        return result.end();
    }

    /**
     * {@code count} TCP connections from 127.0.0.3 that never send CONNECT, held for up to {@code hold}: they must
     * count against a limit (the excess closed at once) and time out.
     */
    public AttackResult silentConnections(int count, Duration hold) throws InterruptedException {
        AttackResult result = new AttackResult(count + " TCP connections that never send CONNECT");
        InetAddress source = address("127.0.0.3");
        List<MqttWire.RawClient> clients = new ArrayList<>();
        int refused = 0;
        try {
            for (int i = 0; i < count; i++) {
                try {
                    clients.add(MqttWire.RawClient.open(cluster.mqttHost(), cluster.mqttPort(), source,
                            Duration.ofSeconds(5)));
                } catch (IOException e) {
                    refused++;
                }
            }
            Thread.sleep(1_000);
            int closedAtOnce = countClosed(clients);
            long deadline = System.nanoTime() + hold.toNanos();
            int closed = closedAtOnce;
            while (closed < clients.size() && System.nanoTime() < deadline) {
                Thread.sleep(500);
                closed = countClosed(clients);
            }
            long heldMs = hold.toMillis() - Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            result.fact("opened", clients.size()).fact("refused_at_tcp", refused)
                    .fact("closed_within_1s", closedAtOnce).fact("closed_by_end", closed)
                    .fact("all_closed_after_ms", closed == clients.size() ? heldMs : -1);
            result.answer(closed == clients.size() ? "all closed by the gateway" : (clients.size() - closed)
                    + " still open after " + hold.toSeconds() + " s");
        } finally {
            clients.forEach(MqttWire.RawClient::close);
        }
        return result.end();
    }

    private final Map<MqttWire.RawClient, Boolean> knownClosed = new java.util.IdentityHashMap<>();

    private synchronized int countClosed(List<MqttWire.RawClient> clients) {
        int closed = 0;
        for (MqttWire.RawClient client : clients) {
            if (knownClosed.containsKey(client)) {
                closed++;
                continue;
            }
            try {
                client.soTimeout(Duration.ofMillis(1));
                if (client.read() == null) {
                    knownClosed.put(client, true);
                    closed++;
                }
            } catch (IOException e) {
                // silence: still open
            }
        }
        return closed;
    }

    // ---- Malformed frames -----------------------------------------------------------------------------------------

    /**
     * Fuzzed raw MQTT from 127.0.0.4: random bytes, truncated and oversized packets, bad protocol levels, bad MQTT 5
     * properties, malformed remaining lengths, PUBLISH before CONNECT, QoS 3. Every connection must be answered or
     * closed within 5 s of the attacker's last byte; the gateway must not write a stack trace per frame.
     */
    public AttackResult fuzz(int randomFrames, long seed) throws IOException, InterruptedException {
        AttackResult result = new AttackResult("fuzzed raw MQTT frames");
        InetAddress source = address("127.0.0.4");
        long tracesBefore = stackTraceLines(cluster.gatewayOutput());
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> frames = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < randomFrames; i++) {
            byte[] bytes = new byte[1 + random.nextInt(2_000)];
            random.nextBytes(bytes);
            frames.add(bytes);
            labels.add("random");
        }
        byte[] connect5 = MqttWire.connect(MqttWire.LEVEL_5, FUZZ, FUZZ, secrets.get(FUZZ), 30);
        // truncated: a CONNECT cut anywhere
        for (int cut = 1; cut < connect5.length; cut += Math.max(1, connect5.length / 12)) {
            frames.add(java.util.Arrays.copyOf(connect5, cut));
            labels.add("truncated");
        }
        // the random and truncated frames end with the client half-closing, as a client that gives up mid-packet:
        // the gateway must close too rather than wait for the rest; the frames below are whole and get an answer
        int halfClosed = frames.size();
        // bad protocol levels
        for (int level : new int[] {0, 1, 2, 3, 6, 7, 255}) {
            frames.add(MqttWire.connect(level, "fuzz-level-" + level, FUZZ, secrets.get(FUZZ), 30,
                    level >= 5 ? new byte[0] : null));
            labels.add("protocol level " + level);
        }
        // bad MQTT 5 properties: unknown id, duplicated session expiry, length beyond the packet, zero receive maximum
        String[] propertyCases = {"unknown property 0xFF", "session expiry twice", "user property cut short",
            "receive maximum 0", "maximum packet size 0"};
        byte[][] propertyBytes = {{(byte) 0xFF, 1}, {0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2}, {0x26, 0, 5, 'k'},
            {0x21, 0, 0}, {0x27, 0, 0, 0, 0}};
        for (int i = 0; i < propertyCases.length; i++) {
            frames.add(MqttWire.connect(MqttWire.LEVEL_5, FUZZ, FUZZ, secrets.get(FUZZ), 30, propertyBytes[i]));
            labels.add("CONNECT with " + propertyCases[i]);
        }
        // a property length longer than the packet
        frames.add(new byte[] {0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 30, 0x7F, 0});
        labels.add("property length beyond the packet");
        // remaining length of five bytes (at most four are allowed), and one of 256 MB with nothing after
        frames.add(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
        labels.add("remaining length of 5 bytes");
        frames.add(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F});
        labels.add("CONNECT declaring 256 MB");
        // PUBLISH before CONNECT, QoS 3, PINGREQ first, a second CONNECT header with reserved flags
        frames.add(MqttWire.publish(true, 1, "devices/" + FUZZ + "/telemetry", 1, Batches.small(FUZZ)));
        labels.add("PUBLISH before CONNECT");
        frames.add(new byte[] {0x36, 5, 0, 1, 't', 0, 1});
        labels.add("PUBLISH QoS 3");
        frames.add(MqttWire.pingReq());
        labels.add("PINGREQ before CONNECT");
        frames.add(new byte[] {0x1F, 0});
        labels.add("CONNECT with reserved flags");
        int answeredOrClosed = 0;
        int stillOpen = 0;
        List<String> acceptedMalformed = new ArrayList<>();
        // Silent ones (the gateway waits for more) are kept to see whether the connect timeout ends them.
        Map<String, MqttWire.RawClient> silent = new java.util.LinkedHashMap<>();
        long firstSilent = 0;
        for (int i = 0; i < frames.size(); i++) {
            byte[] frame = frames.get(i);
            MqttWire.RawClient client = null;
            try {
                client = MqttWire.RawClient.open(cluster.mqttHost(), cluster.mqttPort(), source,
                        Duration.ofSeconds(5));
                client.trySend(frame);
                if (i < halfClosed) {
                    client.finishSending();
                }
                String end = reaction(client, Duration.ofSeconds(5));
                result.answer(i < halfClosed ? labels.get(i) + ": " + end : end);
                if (i >= halfClosed) {
                    result.fact(labels.get(i), end);
                    if (end.startsWith("CONNACK 0x00")) {
                        acceptedMalformed.add(labels.get(i));
                    }
                }
                if (end.equals("open")) {
                    stillOpen++;
                    firstSilent = firstSilent == 0 ? System.nanoTime() : firstSilent;
                    silent.put(labels.get(i) + " #" + i, client);
                    client = null;
                } else {
                    answeredOrClosed++;
                }
            } catch (IOException e) {
                result.answer("connection refused");
                answeredOrClosed++;
            } finally {
                if (client != null) {
                    client.close();
                }
            }
        }
        List<String> openPastConnectTimeout = new ArrayList<>();
        if (!silent.isEmpty()) {
            long until = firstSilent + HostileCluster.CONNECT_TIMEOUT.plusSeconds(3).toNanos();
            Thread.sleep(Math.max(0, (until - System.nanoTime()) / 1_000_000));
            for (Map.Entry<String, MqttWire.RawClient> one : silent.entrySet()) {
                if (!one.getValue().closedWithin(Duration.ofMillis(50))) {
                    openPastConnectTimeout.add(one.getKey());
                }
                one.getValue().close();
            }
        }
        // After a valid session: an oversized packet (declared 200 MB), and a publish with a malformed property.
        try (MqttWire.RawClient client = session(FUZZ, 30)) {
            client.trySend(new byte[] {0x32, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x60, 0, 1, 't'});
            String end = reaction(client, Duration.ofSeconds(5));
            result.answer("oversized PUBLISH in a session: " + end);
            result.fact("PUBLISH declaring 200 MB in a session", end);
        }
        try (MqttWire.RawClient client = session(FUZZ, 30)) {
            byte[] topic = ("devices/" + FUZZ + "/telemetry").getBytes(StandardCharsets.UTF_8);
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            body.write(0);
            body.write(topic.length);
            body.writeBytes(topic);
            body.write(0);
            body.write(1);
            body.write(3); // properties: 3 bytes
            body.writeBytes(new byte[] {0x01, 0x07, 0x07}); // payload format indicator 7 (only 0/1 exist), twice
            body.writeBytes(Batches.small(FUZZ));
            client.trySend(MqttWire.packet(0x32, body.toByteArray()));
            String end = reaction(client, Duration.ofSeconds(5));
            result.answer("bad PUBLISH properties in a session: " + end);
            result.fact("PUBLISH with payload format indicator 7", end);
        }
        Thread.sleep(500);
        long traces = stackTraceLines(cluster.gatewayOutput()) - tracesBefore;
        result.fact("frames", frames.size()).fact("answered_or_closed", answeredOrClosed)
                .fact("still_open_after_5s", stillOpen).fact("gateway_stack_trace_lines", traces)
                .fact("malformed_connects_accepted", List.copyOf(acceptedMalformed))
                .fact("silent_then_open_past_connect_timeout", List.copyOf(openPastConnectTimeout));
        return result.end();
    }

    /** The gateway's first answer and whether it closed: e.g. {@code CONNACK 0x84, closed}; {@code open} if silent. */
    private static String reaction(MqttWire.RawClient client, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        String first = null;
        while (System.nanoTime() < deadline) {
            client.soTimeout(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            try {
                MqttWire.Packet packet = client.read();
                if (packet == null) {
                    return first == null ? "closed" : first + ", closed";
                }
                if (first == null) {
                    first = packet.toString();
                }
            } catch (SocketTimeoutException e) {
                break;
            }
        }
        return first == null ? "open" : first + ", open";
    }

    static long stackTraceLines(String output) {
        return output.lines().filter(line -> line.startsWith("\tat ")).count();
    }

    // ---- InfluxDB -------------------------------------------------------------------------------------------------

    /**
     * The InfluxDB front answers 400 to every write for {@code duration}: the processor must retry, turn not-ready
     * and dead-letter nothing; afterwards it stores everything.
     */
    public AttackResult influxRefusesEverything(Duration duration) throws InterruptedException {
        AttackResult result = new AttackResult("InfluxDB front answers 400 to every write");
        long deadLettersBefore = processorDeadLettered();
        InfluxFront front = cluster.influxFront();
        long refusedBefore = front.refusedWrites();
        front.refuseWrites(true);
        long deadline = System.nanoTime() + duration.toNanos();
        long notReadyPolls = 0;
        long polls = 0;
        Long firstNotReadyMs = null;
        long started = System.nanoTime();
        try {
            while (System.nanoTime() < deadline) {
                polls++;
                if (!cluster.processorReady()) {
                    notReadyPolls++;
                    if (firstNotReadyMs == null) {
                        firstNotReadyMs = (System.nanoTime() - started) / 1_000_000;
                    }
                }
                Thread.sleep(250);
            }
        } finally {
            front.refuseWrites(false);
        }
        long readyAgainMs = -1;
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long restored = System.nanoTime();
        while (System.nanoTime() < until) {
            if (cluster.processorReady()) {
                readyAgainMs = (System.nanoTime() - restored) / 1_000_000;
                break;
            }
            Thread.sleep(250);
        }
        result.fact("refused_writes", front.refusedWrites() - refusedBefore)
                .fact("not_ready_polls", notReadyPolls).fact("polls", polls)
                .fact("first_not_ready_ms", firstNotReadyMs == null ? -1 : firstNotReadyMs)
                .fact("ready_again_ms", readyAgainMs)
                .fact("processor_deadlettered_during", processorDeadLettered() - deadLettersBefore);
        result.answer(notReadyPolls > 0 ? "processor turned not ready" : "processor stayed ready");
        return result.end();
    }

    /** The processor's {@code deadlettered_total}, all writers. */
    long processorDeadLettered() {
        return (long) HostileCluster.metric(cluster.processorMetrics(), "tributary_processor_deadlettered_total");
    }

    static void logResult(AttackResult result) {
        LOG.info("Attack done: {}", result);
    }
}
