package io.tributary.demo.hostile;

import static io.tributary.demo.hostile.Attacks.FLOOD;
import static io.tributary.demo.hostile.Attacks.CLONE;
import static io.tributary.demo.hostile.Attacks.ITERATIONS;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Attacks on authentication and sessions: a wrong-password flood, a forged registry record, clones of one device. */
public record LoginAttacks(Attacker attacker) {

    /**
     * {@code clients} threads from 127.0.0.2 send CONNECTs with a known device id and wrong passwords as fast as they
     * can for {@code duration}, each on a new connection.
     */
    public AttackResult wrongPasswordFlood(Duration duration, int clients) throws InterruptedException {
        AttackResult result = new AttackResult("wrong-password CONNECT flood from one address");
        InetAddress source = Attacker.address("127.0.0.2");
        double cpuBefore = attacker.cluster().gateway().cpuSeconds();
        AtomicLong attempts = new AtomicLong();
        long deadline = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread thread = new Thread(() -> {
                byte[] wrong = ("wrong-" + client).getBytes(StandardCharsets.UTF_8);
                while (System.nanoTime() < deadline) {
                    attempts.incrementAndGet();
                    try (MqttWire.RawClient raw = attacker.open(source, Duration.ofSeconds(5))) {
                        result.answer(MqttWire.describe(raw.connect(FLOOD, wrong, 30)));
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
        double cpu = attacker.cluster().gateway().cpuSeconds() - cpuBefore;
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
        HostileCluster cluster = attacker.cluster();
        cluster.kafka().produce(cluster.topics().devices(), ITERATIONS,
                record.encode().getBytes(StandardCharsets.UTF_8));
        try {
            Thread.sleep(1_000); // the gateway follows the registry topic within a poll
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long slowest = 0;
        for (int i = 0; i < 2; i++) {
            long started = System.nanoTime();
            try (MqttWire.RawClient client = attacker.open(null, Duration.ofSeconds(5))) {
                byte[] guess = "guess".getBytes(StandardCharsets.UTF_8);
                result.answer(MqttWire.describe(client.connect(ITERATIONS, guess, 30)));
            } catch (SocketTimeoutException e) {
                result.answer("no answer within 5 s");
            }
            slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
        }
        result.fact("slowest_answer_ms", slowest);
        return result.end();
    }

    /**
     * {@code count} connections with one device's secret (keep-alive 0), one after the other: only the last may stay;
     * each earlier one must be taken over (MQTT 5: DISCONNECT 0x8E).
     */
    public AttackResult clones(int count) throws IOException, InterruptedException {
        AttackResult result = new AttackResult(count + " connections with one device's secret");
        List<MqttWire.RawClient> clients = new ArrayList<>();
        try {
            attacker.session(CLONE, 0).close(); // the gateway knows the device
            for (int i = 0; i < count; i++) {
                MqttWire.RawClient client = attacker.open(null);
                clients.add(client);
                result.answer("CONNECT: " + MqttWire.describe(client.connect(CLONE, attacker.secret(CLONE), 0)));
            }
            Thread.sleep(1_000);
            int live = 0;
            for (MqttWire.RawClient client : clients) {
                String end = Attacker.ending(client, Duration.ofMillis(300));
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
}
