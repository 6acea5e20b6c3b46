package io.tributary.agent;

import io.tributary.localstack.net.TcpProxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.agent.config.AgentConfig;
import io.tributary.agent.config.AgentConfigFile;
import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.transport.PahoPublisher;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against a real MQTT 5 broker (Debian's Mosquitto): the broker goes away for a while and comes back, and
 * every batch arrives, with live data ahead of the capped backlog replay; a pushed config is applied or rejected.
 */
class AgentMosquittoIT {

    private static final String DEVICE = "it-dev";

    @TempDir
    Path dir;

    private final List<ReadingBatch> batches = new CopyOnWriteArrayList<>();
    private final List<String> statuses = new CopyOnWriteArrayList<>();
    private MosquittoBroker broker;
    private TcpProxy proxy;
    private MqttAsyncClient subscriber;
    private Agent agent;

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (subscriber != null) {
            subscriber.disconnectForcibly(0, 1000, false);
            subscriber.close(true);
        }
        if (proxy != null) {
            proxy.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldDeliverEveryBatchAfterTheBrokerWasDownAndSendLiveDataFirst() throws Exception {
        broker = new MosquittoBroker(Files.createDirectories(dir.resolve("broker")));
        broker.start();
        subscribe();
        proxy = new TcpProxy(broker.port());
        proxy.up();
        agent = startAgent("replay-rate: 3", proxy.uri());

        await().atMost(Duration.ofSeconds(10)).until(() -> batches.size() >= 3);
        assertThat(statuses).anySatisfy(s -> assertThat(s).contains("\"state\":\"online\""));

        proxy.down(); // the gateway is unreachable for the agent
        await().atMost(Duration.ofSeconds(5)).until(() -> statuses.stream().anyMatch(s -> s.contains("offline")));
        long lastBeforeOutage = maxSeq();
        Thread.sleep(2_500); // the agent keeps sampling into its outbox meanwhile
        proxy.up();

        await().atMost(Duration.ofSeconds(30)).until(() -> maxSeq() > lastBeforeOutage + 12 && contiguousFromOne());
        agent.close();
        agent = null;
        DiskOutbox check = new DiskOutbox(dir.resolve("state"), AgentConfigs.outbox());
        long lastSeq = check.nextSequence() - 1;
        int left = check.pendingCount();
        check.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs().size() == lastSeq);

        assertThat(left).as("nothing left unacknowledged").isZero();
        assertThat(seqs()).as("every batch 1..%d arrived", lastSeq).hasSize((int) lastSeq);
        assertThat(batches).allSatisfy(b -> assertThat(b.getDroppedReadings()).isZero());
        Set<String> points = new HashSet<>();
        for (ReadingBatch b : batches) {
            for (Reading r : b.getReadingsList()) {
                points.add(r.getSensor() + "@" + r.getEventTimeUnixNanos());
            }
        }
        assertThat(points).as("no reading lost or duplicated in storage terms")
                .hasSize(batches.stream().mapToInt(ReadingBatch::getReadingsCount).sum()
                        - duplicatesDeliveredTwice());

        // live first: a batch made after the reconnect arrived before the backlog had fully replayed
        List<Long> order = arrivalOrderAfter(lastBeforeOutage);
        long backlogLast = order.stream().filter(s -> s > lastBeforeOutage).mapToLong(Long::longValue).min()
                .orElseThrow();
        assertThat(order).as("arrival order after the outage: %s", order).isNotEqualTo(sorted(order));
        assertThat(backlogLast).isGreaterThan(lastBeforeOutage);
    }

    @Test
    void shouldApplyAValidPushedConfigAndRejectAnInvalidOne() throws Exception {
        broker = new MosquittoBroker(Files.createDirectories(dir.resolve("broker")));
        broker.start();
        subscribe();
        agent = startAgent("replay-rate: 20", broker.uri());
        await().atMost(Duration.ofSeconds(10)).until(() -> !batches.isEmpty());
        assertThat(agent.sensorProblems()).containsOnlyKeys("missing");
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.stream()
                .anyMatch(s -> s.contains("\"missing\":\"failing: ") && s.contains("does not exist")));

        subscriber.publish("devices/" + DEVICE + "/config",
                "sensors: {b: {enabled: false}, a: {interval: 200ms}}".getBytes(StandardCharsets.UTF_8), 1, true)
                .waitForCompletion(5000);
        await().atMost(Duration.ofSeconds(10)).until(() -> !agent.sensors().get(1).enabled());
        assertThat(agent.sensors().get(0).interval()).isEqualTo(Duration.ofMillis(200));
        assertThat(agent.lastConfigResult()).isEqualTo("applied");
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.stream().anyMatch(s ->
                s.contains("\"config\":\"applied\"") && s.contains("\"b\":\"off\"")));
        batches.clear();
        await().atMost(Duration.ofSeconds(10)).until(() -> batches.size() >= 2);
        assertThat(batches.get(1).getReadingsList()).extracting(Reading::getSensor).doesNotContain("b");

        subscriber.publish("devices/" + DEVICE + "/config",
                "sensors: {a: {interval: never}}".getBytes(StandardCharsets.UTF_8), 1, true).waitForCompletion(5000);
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.lastConfigResult().startsWith("rejected"));
        assertThat(agent.lastConfigResult()).contains("sensors.a.interval");
        assertThat(agent.sensors().get(0).interval()).as("the old config stays").isEqualTo(Duration.ofMillis(200));
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.stream().anyMatch(s ->
                s.contains("\"config\":\"rejected: sensors.a.interval")));
    }

    @Test
    void shouldPublishOverTlsTrustingOnlyTheConfiguredCa() throws Exception {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        openssl(tls, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", "server.key", "-out", "server.pem");
        openssl(tls, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other",
                "-keyout", "other.key", "-out", "other.pem");
        broker = new MosquittoBroker(Files.createDirectories(dir.resolve("broker")),
                "certfile " + tls.resolve("server.pem") + "\nkeyfile " + tls.resolve("server.key") + "\n");
        broker.start();
        subscribeTls(tls.resolve("server.pem"));

        agent = startAgent("ca-file: " + tls.resolve("other.pem"), broker.uri().replace("tcp://", "ssl://"));
        Thread.sleep(1500);
        assertThat(batches).as("a server certificate the configured CA did not sign is refused").isEmpty();
        agent.close();
        agent = null;

        agent = startAgent("ca-file: " + tls.resolve("server.pem"), broker.uri().replace("tcp://", "ssl://"));
        await().atMost(Duration.ofSeconds(10)).until(() -> batches.size() >= 2);
        assertThat(batches.get(0).getDeviceId()).isEqualTo(DEVICE);
    }

    @Test
    void shouldAuthenticateWithDeviceIdAndSecret() throws Exception {
        Path auth = Files.createDirectories(dir.resolve("auth"));
        Path passwords = auth.resolve("passwords");
        Process p = new ProcessBuilder("mosquitto_passwd", "-b", "-c", passwords.toString(), DEVICE, "s3cret")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        Process sub = new ProcessBuilder("mosquitto_passwd", "-b", passwords.toString(), "it-subscriber", "sub")
                .redirectErrorStream(true).start();
        assertThat(sub.waitFor()).isZero();
        broker = new MosquittoBroker(Files.createDirectories(dir.resolve("broker")),
                "password_file " + passwords + "\n");
        broker.start();
        subscribe(broker.uri(), null, "sub");

        Path wrong = Files.writeString(dir.resolve("wrong.secret"), "wrong\n");
        Path right = Files.writeString(dir.resolve("right.secret"), "s3cret\n");
        agent = startAgent("password-file: " + wrong, broker.uri());
        Thread.sleep(1500);
        assertThat(batches).as("a wrong secret is refused").isEmpty();
        agent.close();
        agent = null;

        agent = startAgent("password-file: " + right, broker.uri());
        await().atMost(Duration.ofSeconds(10)).until(() -> batches.size() >= 2);
    }

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    private void subscribeTls(Path ca) throws Exception {
        io.tributary.agent.config.BrokerConnection m = new io.tributary.agent.config.BrokerConnection(
                broker.uri().replace("tcp://", "ssl://"), "it-subscriber", "", ca, null, null, Duration.ofSeconds(60),
                Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1);
        subscribe(m.serverUri(), io.tributary.agent.transport.PahoPublisher.sslContext(m).getSocketFactory());
    }

    private Agent startAgent(String replay, String uri) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/loadavg"), "0.5 0.4 0.3 1/100 42\n");
        Files.writeString(root.resolve("value"), "21.5\n");
        String yaml = """
                device: {id: %s}
                mqtt: {uri: "%s", backoff-initial: 100ms, backoff-max: 400ms, connect-timeout: 2s, %s}
                batch: {max-age: 300ms, max-readings: 50}
                outbox: {dir: %s, max-bytes: 1MiB}
                sensors:
                  - {name: a, type: file, path: /value, interval: 100ms}
                  - {name: b, type: load1, interval: 100ms}
                  - {name: missing, type: file, path: /nope, interval: 100ms}
                """.formatted(DEVICE, uri, replay, dir.resolve("state"));
        AgentConfig config = AgentConfigFile.parse(yaml, new AgentConfigFile.Overrides(null, null, null, null, root,
                null));
        Agent a = new Agent(config, new DiskOutbox(config.stateDir(), config.outbox()),
                new PahoPublisher(config.mqtt(), config.deviceId(), config.statusTopic(), config.configTopic()));
        a.start();
        return a;
    }

    private void subscribe() throws MqttException {
        subscribe(broker.uri(), null, null);
    }

    private void subscribe(String uri, javax.net.SocketFactory socketFactory) throws MqttException {
        subscribe(uri, socketFactory, null);
    }

    private void subscribe(String uri, javax.net.SocketFactory socketFactory, String password) throws MqttException {
        subscriber = new MqttAsyncClient(uri, "it-subscriber", new MemoryPersistence());
        subscriber.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                if (topic.endsWith("/telemetry")) {
                    batches.add(ReadingBatch.parseFrom(message.getPayload()));
                } else if (topic.endsWith("/status")) {
                    statuses.add(new String(message.getPayload(), StandardCharsets.UTF_8));
                }
            }

            @Override
            public void disconnected(MqttDisconnectResponse r) {
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void deliveryComplete(IMqttToken t) {
            }

            @Override
            public void connectComplete(boolean reconnect, String uri) {
            }

            @Override
            public void authPacketArrived(int code, MqttProperties p) {
            }
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(3600L);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 1);
        if (socketFactory != null) {
            options.setSocketFactory(socketFactory);
        }
        if (password != null) {
            options.setUserName("it-subscriber");
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        subscriber.connect(options).waitForCompletion(5000);
        subscriber.subscribe(new String[] {"devices/+/telemetry", "devices/+/status"}, new int[] {1, 1})
                .waitForCompletion(5000);
    }

    private long maxSeq() {
        return batches.stream().mapToLong(ReadingBatch::getBatchSeq).max().orElse(0);
    }

    private Set<Long> seqs() {
        Set<Long> s = new HashSet<>();
        batches.forEach(b -> s.add(b.getBatchSeq()));
        return s;
    }

    private boolean contiguousFromOne() {
        Set<Long> s = seqs();
        return s.size() == maxSeq();
    }

    private int duplicatesDeliveredTwice() {
        return batches.stream().mapToInt(ReadingBatch::getReadingsCount).sum()
                - batches.stream().filter(distinctBySeq()).mapToInt(ReadingBatch::getReadingsCount).sum();
    }

    private static java.util.function.Predicate<ReadingBatch> distinctBySeq() {
        Set<Long> seen = new HashSet<>();
        return b -> seen.add(b.getBatchSeq());
    }

    private List<Long> arrivalOrderAfter(long seq) {
        List<Long> order = new ArrayList<>();
        for (ReadingBatch b : batches) {
            if (b.getBatchSeq() > seq) {
                order.add(b.getBatchSeq());
            }
        }
        return order;
    }

    private static List<Long> sorted(List<Long> list) {
        List<Long> copy = new ArrayList<>(list);
        Collections.sort(copy);
        return copy;
    }

    /** The outbox settings of {@link #startAgent}, for reopening its outbox after the agent stopped. */
    static final class AgentConfigs {
        static io.tributary.agent.outbox.OutboxSettings outbox() {
            return new io.tributary.agent.outbox.OutboxSettings(1024 * 1024, 0,
                    io.tributary.agent.outbox.OutboxSettings.FsyncPolicy.ALWAYS, Duration.ofSeconds(1),
                    io.tributary.agent.outbox.OutboxSettings.OverflowPolicy.DROP_OLDEST);
        }
    }
}
