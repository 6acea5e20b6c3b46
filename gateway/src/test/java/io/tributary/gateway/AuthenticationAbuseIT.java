package io.tributary.gateway;

import io.tributary.contract.registry.CredentialRules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.GatewayMetrics.Level;
import io.tributary.gateway.auth.AuthSettings;
import io.tributary.gateway.metrics.MicrometerGatewayMetrics;
import io.tributary.contract.registry.DeviceRecord;
import io.tributary.contract.registry.DeviceRegistryClient;
import io.tributary.contract.registry.RegistryListener;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.testing.mqtt.RawMqttConnect;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.SocketFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Authentication that cannot be turned into a denial of service (issue 17, deliverable 4), against a real gateway,
 * Kafka and real MQTT clients: a wrong-password flood from one address, registry records that must not hurt, and a
 * registry consumer that dies or stalls.
 */
class AuthenticationAbuseIT {

    private static final String PREFIX = "abuse.";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String ATTACKER_ADDRESS = "127.0.0.1";
    /** Another loopback source address on Linux: "the honest devices' own network". */
    private static final String DEVICE_ADDRESS = "127.0.0.2";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LocalStack stack;
    private static DeviceRegistryClient registry;
    private Gateway gateway;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start(LocalStackOptions.defaults().withStartInflux(false));
        stack.createTopics(1, PREFIX + "telemetry", PREFIX + "deadletter", PREFIX + "device-status");
        registry = new DeviceRegistryClient(stack.kafkaBootstrapServers(), PREFIX, Map.of(), TIMEOUT);
        registry.ensureTopics();
    }

    @AfterAll
    static void stopStack() {
        if (registry != null) {
            registry.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @AfterEach
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private Gateway startGateway(AuthSettings auth) {
        gateway = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .httpPort(0)
                .kafkaBootstrapServers(stack.kafkaBootstrapServers())
                .topicPrefix(PREFIX)
                .verticleInstances(1)
                .authentication(GatewayConfig.Authentication.REGISTRY)
                .auth(auth).build());
        gateway.start().toCompletableFuture().join();
        return gateway;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private MicrometerGatewayMetrics metrics() {
        return (MicrometerGatewayMetrics) gateway.metrics();
    }

    /**
     * Connects a Paho MQTT 5 client from {@code localAddress} (failing if it is refused) and disconnects it; returns
     * the time from {@code connect} until the CONNACK was in, in nanoseconds.
     */
    private static long honestConnect(int port, String localAddress, String deviceId, String secret)
            throws Exception {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(deviceId);
        options.setPassword(secret.getBytes(StandardCharsets.UTF_8));
        options.setSocketFactory(new BoundSocketFactory(localAddress));
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        org.eclipse.paho.mqttv5.client.MqttAsyncClient client = new org.eclipse.paho.mqttv5.client.MqttAsyncClient(
                "tcp://127.0.0.1:" + port, deviceId, new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        try {
            long start = System.nanoTime();
            client.connect(options).waitForCompletion(10_000);
            long nanos = System.nanoTime() - start;
            assertThat(client.isConnected()).as(deviceId + " from " + localAddress).isTrue();
            client.disconnect(0).waitForCompletion(5_000);
            return nanos;
        } finally {
            client.close(true);
        }
    }

    /** Connects as an honest device with the raw client (failing if refused); returns its CONNACK time. */
    private static long rawHonestConnect(int port, String localAddress, String deviceId, String secret)
            throws IOException {
        RawMqttConnect.Result result = RawMqttConnect.connect(port, localAddress, 5, deviceId, secret, false);
        assertThat(result.code()).as(deviceId + " from " + localAddress).isZero();
        return result.nanos();
    }

    @Test
    void aWrongPasswordFloodFromOneAddressIsThrottledWhileHonestDevicesStillConnect() throws Exception {
        List<String> fresh = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            fresh.add("flood-fresh-" + i);
        }
        Map<String, String> secrets = registry.provisionAll(concat(List.of("flood-victim", "flood-cached"), fresh));
        startGateway(AuthSettings.DEFAULTS); // the defaults, as shipped
        int port = gateway.mqttPort();
        await().atMost(TIMEOUT).until(() -> secrets.keySet().stream().allMatch(gateway::knowsDevice));
        // A device that connected before the attack: its secret's fingerprint is remembered.
        honestConnect(port, ATTACKER_ADDRESS, "flood-cached", secrets.get("flood-cached"));

        List<Long> baseline = new ArrayList<>();
        List<Long> pahoBaseline = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            baseline.add(rawHonestConnect(port, i % 2 == 0 ? ATTACKER_ADDRESS : DEVICE_ADDRESS, "flood-cached",
                    secrets.get("flood-cached")));
            pahoBaseline.add(honestConnect(port, DEVICE_ADDRESS, "flood-cached", secrets.get("flood-cached")));
        }
        Collections.sort(baseline);
        Collections.sort(pahoBaseline);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long gatewayCpuBefore = gatewayThreadsCpuNanos(threads);
        long jvmCpuBefore = jvmCpuNanos();
        long derivationsBefore = metrics().total(Counted.KEY_DERIVATIONS);
        long failuresBefore = metrics().total(Counted.LOGINS_FAILED);
        Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean flooding = new AtomicBoolean(true);
        List<Thread> attackers = new ArrayList<>();
        // Three MQTT 5 and one MQTT 3.1.1 client with wrong passwords for the known id, and one spraying unknown ids,
        // all from one address, as fast as they go.
        for (int t = 0; t < 5; t++) {
            int level = t == 3 ? 4 : 5;
            boolean spray = t == 4;
            Thread attacker = new Thread(() -> {
                while (flooding.get()) {
                    String id = spray ? "ghost-" + UUID.randomUUID() : "flood-victim";
                    try {
                        RawMqttConnect.Result result = RawMqttConnect.connect(port, ATTACKER_ADDRESS, level, id,
                                UUID.randomUUID().toString(), false);
                        answers.computeIfAbsent((level == 5 ? "v5 0x" : "v3 ") + Integer.toHexString(result.code()),
                                k -> new AtomicLong()).incrementAndGet();
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                }
            }, "flood-" + t);
            attacker.setDaemon(true);
            attackers.add(attacker);
        }
        long floodStart = System.nanoTime();
        attackers.forEach(Thread::start);

        // While it runs: devices that never connected before (each costs a real secret check), the attacked id itself
        // from its own address (first uncached, then remembered) and from the attacker's address once remembered.
        List<Long> honestNanos = new ArrayList<>();
        List<Long> pahoNanos = new ArrayList<>();
        List<String> honestLog = new ArrayList<>();
        Thread.sleep(500); // let the throttle engage first: the interesting part is after it did
        int probe = 0;
        while (System.nanoTime() - floodStart < TimeUnit.SECONDS.toNanos(6)) {
            String who;
            String from;
            if (probe % 3 == 0 && probe / 3 < fresh.size()) {
                who = fresh.get(probe / 3);
                from = DEVICE_ADDRESS;
            } else if (probe % 3 == 1) {
                who = "flood-victim";
                from = probe < 6 ? DEVICE_ADDRESS : ATTACKER_ADDRESS;
            } else {
                who = "flood-cached";
                from = ATTACKER_ADDRESS;
            }
            // The first connect of a fresh device goes through Paho, a full MQTT client; the rest through the raw
            // client, whose stopwatch holds only the TCP connect, CONNECT and CONNACK.
            boolean paho = who.startsWith("flood-fresh-");
            long nanos = paho ? honestConnect(port, from, who, secrets.get(who))
                    : rawHonestConnect(port, from, who, secrets.get(who));
            (paho ? pahoNanos : honestNanos).add(nanos);
            honestLog.add(String.format("%s from %s (%s): %.1f ms", who, from, paho ? "Paho" : "raw", nanos / 1e6));
            probe++;
            Thread.sleep(50);
        }
        flooding.set(false);
        for (Thread attacker : attackers) {
            attacker.join(TimeUnit.SECONDS.toMillis(15));
        }
        long floodNanos = System.nanoTime() - floodStart;
        long gatewayCpu = gatewayThreadsCpuNanos(threads) - gatewayCpuBefore;
        long jvmCpu = jvmCpuNanos() - jvmCpuBefore;

        Map<String, Long> counted = new TreeMap<>();
        answers.forEach((code, n) -> counted.put(code, n.get()));
        long attempts = counted.values().stream().mapToLong(Long::longValue).sum();
        long refusedAtOnce = counted.getOrDefault("v5 0x9f", 0L) + counted.getOrDefault("v3 3", 0L);
        List<Long> sorted = new ArrayList<>(honestNanos);
        Collections.sort(sorted);
        System.out.printf("%nLogin flood from one address for %.1f s: %d CONNECTs (%.0f/s), answers %s, client"
                + " errors %d%n", floodNanos / 1e9, attempts, attempts / (floodNanos / 1e9), counted, errors.get());
        System.out.printf("Gateway metrics: key derivations %d (failed secret checks %d), throttled address %d /"
                + " device %d, busy %d%n", metrics().total(Counted.KEY_DERIVATIONS) - derivationsBefore,
                metrics().total(Counted.LOGINS_FAILED) - failuresBefore,
                metrics().total(Counted.LOGINS_THROTTLED_BY_ADDRESS), metrics().total(Counted.LOGINS_THROTTLED_BY_DEVICE),
                metrics().total(Counted.LOGINS_BUSY));
        System.out.printf("CPU: gateway threads %.3f s, whole test JVM (attackers, Kafka, clients too) %.3f s;"
                + " gateway CPU-s per 1,000 refused CONNECTs: %.4f%n", gatewayCpu / 1e9, jvmCpu / 1e9,
                gatewayCpu / 1e9 / Math.max(1, attempts) * 1000);
        System.out.printf("Honest CONNACK times during the flood (%d connects, raw MQTT 5 client): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                sorted.size(), percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6);
        Collections.sort(pahoNanos);
        System.out.printf("Honest CONNACK times before the flood (5 connects): p50 %.1f ms, max %.1f ms; Paho: p50"
                + " %.1f ms, max %.1f ms%n", percentile(baseline, 0.5) / 1e6, baseline.get(baseline.size() - 1) / 1e6,
                percentile(pahoBaseline, 0.5) / 1e6, pahoBaseline.get(pahoBaseline.size() - 1) / 1e6);
        System.out.printf("Paho connects of devices never seen before, during the flood (%d): p50 %.1f ms, max %.1f"
                + " ms%n", pahoNanos.size(), percentile(pahoNanos, 0.5) / 1e6,
                pahoNanos.get(pahoNanos.size() - 1) / 1e6);
        honestLog.forEach(line -> System.out.println("  " + line));

        // Every honest CONNECT succeeded (honestConnect asserts it); the attacker got only the documented answers.
        assertThat(honestNanos).hasSizeGreaterThanOrEqualTo(10);
        assertThat(pahoNanos).hasSizeGreaterThanOrEqualTo(3);
        assertThat(counted.keySet()).isSubsetOf("v5 0x86", "v5 0x9f", "v3 4", "v3 3");
        assertThat(refusedAtOnce).as("throttled answers").isGreaterThan(attempts / 2);
        // Secret checks spent on the attacker are bounded by the address limit (plus those in flight when it hit).
        assertThat(metrics().total(Counted.LOGINS_FAILED) - failuresBefore)
                .isLessThanOrEqualTo(AuthSettings.DEFAULTS.maxFailuresPerAddress() + attackers.size());
        assertThat(metrics().total(Counted.LOGINS_THROTTLED_BY_ADDRESS)).isPositive();
        assertThat(metrics().total(Counted.LOGINS_THROTTLED_BY_DEVICE)).isPositive();
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").body()).contains("tributary_gateway_login_throttled_total{scope=\"address\"}")
                .contains("tributary_gateway_key_derivations_total");
    }

    @Test
    void aFullQueueOfSecretChecksIsAnsweredServerBusyAtOnce() throws Exception {
        // Throttles out of the way, one derivation thread, room for four waiting checks; unknown ids cost a dummy
        // check of the minimum iteration count, here 20,000 (~5 ms each).
        startGateway(new AuthSettings(Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ofMinutes(1),
                Duration.ofMinutes(5), 16_384, 1, 4, Duration.ofSeconds(2), 20_000, 20_000, Duration.ofSeconds(30)));
        int port = gateway.mqttPort();
        int clients = 64;
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        Map<Integer, AtomicLong> answers = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String id = "nobody-" + i;
            Thread client = new Thread(() -> {
                try {
                    go.await();
                    int code = RawMqttConnect.connect(port, ATTACKER_ADDRESS, 5, id, "wrong", false).code();
                    answers.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
                } catch (Exception e) {
                    answers.computeIfAbsent(-1, c -> new AtomicLong()).incrementAndGet();
                }
            });
            client.setDaemon(true);
            client.start();
            threads.add(client);
        }
        go.countDown();
        for (Thread client : threads) {
            client.join(TimeUnit.SECONDS.toMillis(30));
        }

        Map<Integer, Long> counted = new TreeMap<>();
        answers.forEach((code, n) -> counted.put(code, n.get()));
        System.out.printf("%d simultaneous CONNECTs with unknown ids, queue of 4: answers %s (0x86 = 134, 0x89 = 137)"
                + ", busy metric %d%n", clients, counted, metrics().total(Counted.LOGINS_BUSY));
        assertThat(counted.keySet()).isSubsetOf(0x86, 0x89);
        assertThat(counted.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(clients);
        assertThat(counted.getOrDefault(0x89, 0L)).as("answered server busy").isPositive();
        assertThat(metrics().total(Counted.LOGINS_BUSY)).isEqualTo(counted.getOrDefault(0x89, 0L));
        assertThat(metrics().level(Level.KEY_DERIVATIONS_PENDING)).isZero();
    }

    @Test
    void registryRecordsThatWouldCostMinutesPerConnectAreRefusedAndTheConsumerGoesOn() throws Exception {
        startGateway(AuthSettings.DEFAULTS);
        String secret = registry.provision("huge-iterations");
        await().atMost(TIMEOUT).until(() -> gateway.knowsDevice("huge-iterations"));
        JsonObject poisoned = new JsonObject(new String(registry.device("huge-iterations").orElseThrow().toJson(),
                StandardCharsets.UTF_8)).put("iterations", Integer.MAX_VALUE);
        try (KafkaProducer<String, byte[]> producer = rawProducer()) {
            producer.send(new ProducerRecord<>(PREFIX + "devices", "huge-iterations",
                    poisoned.encode().getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(PREFIX + "devices", "not-json",
                    "{\"device\":".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        String after = registry.provision("after-poison");

        await().atMost(TIMEOUT).until(() -> gateway.knowsDevice("after-poison"));
        assertThat(gateway.knowsDevice("huge-iterations")).as("a refused record locks its device out").isFalse();
        assertThat(metrics().registryRecordsRefused()).containsEntry("iterations", 1L).containsEntry("unreadable", 1L);
        long start = System.nanoTime();
        RawMqttConnect.Result refused = RawMqttConnect.connect(gateway.mqttPort(), DEVICE_ADDRESS, 5,
                "huge-iterations", secret, false);
        assertThat(refused.code()).isEqualTo(0x86);
        assertThat(System.nanoTime() - start).as("no 2^31-iteration derivation").isLessThan(
                TimeUnit.SECONDS.toNanos(5));
        honestConnect(gateway.mqttPort(), DEVICE_ADDRESS, "after-poison", after);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").body())
                .contains("tributary_gateway_registry_records_refused_total{reason=\"iterations\"} 1");
    }

    @Test
    void aStalledOrDeadRegistryConsumerTurnsReadinessFalseWithTheReason() throws Exception {
        startGateway(new AuthSettings(30, 10, Duration.ofMinutes(1), Duration.ofMinutes(5), 16_384, 0, 256,
                Duration.ofSeconds(2), CredentialRules.DEFAULT_MIN_ITERATIONS,
                CredentialRules.DEFAULT_MAX_ITERATIONS, Duration.ofSeconds(1)));
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        gateway.registryView().addListener(new RegistryListener() {
            @Override
            public void deviceChanged(String deviceId, Optional<DeviceRecord> device) {
                if (deviceId.equals("stall-trigger")) {
                    sleep(4_000); // a consumer that stops polling for a while
                } else if (deviceId.equals("kill-trigger")) {
                    throw new AssertionError("the registry consumer dies"); // not a RuntimeException: nobody catches it
                }
            }
        });

        registry.provision("stall-trigger");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            HttpResponse<String> ready = get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("device registry consumer has not polled Kafka for");
        });
        assertThat(get("/metrics").body()).contains("tributary_gateway_registry_consumer_up 0");
        await().atMost(TIMEOUT).until(() -> get("/health/ready").statusCode() == 200); // it polls again

        registry.provision("kill-trigger");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            HttpResponse<String> ready = get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("device registry consumer stopped")
                    .contains("the registry consumer dies");
        });
        assertThat(get("/metrics").body()).contains("tributary_gateway_registry_consumer_up 0")
                .contains("tributary_gateway_ready 0");
        Thread.sleep(1_500);
        assertThat(get("/health/ready").statusCode()).as("a dead consumer stays dead: not ready").isEqualTo(503);
    }

    private static KafkaProducer<String, byte[]> rawProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long percentile(List<Long> sorted, double p) {
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    /** CPU of the gateway's own threads: event loops, acceptors, workers and key derivations. */
    private static long gatewayThreadsCpuNanos(ThreadMXBean threads) {
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            String name = info.getThreadName();
            if (name.startsWith("vert.x-eventloop") || name.startsWith("vert.x-acceptor")
                    || name.startsWith("vert.x-worker") || name.startsWith("key-derivation")) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                total += Math.max(0, cpu);
            }
        }
        return total;
    }

    private static long jvmCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** Binds each client socket to a local address before Paho connects it. */
    private static final class BoundSocketFactory extends SocketFactory {
        private final String localAddress;

        BoundSocketFactory(String localAddress) {
            this.localAddress = localAddress;
        }

        @Override
        public Socket createSocket() throws IOException {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress(localAddress, 0));
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket socket = createSocket();
            socket.connect(new InetSocketAddress(host, port));
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            Socket socket = createSocket();
            socket.connect(new InetSocketAddress(host, port));
            return socket;
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return createSocket(address, port);
        }
    }
}
