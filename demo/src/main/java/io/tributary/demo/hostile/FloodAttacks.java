package io.tributary.demo.hostile;

import static io.tributary.demo.hostile.Attacks.HUGE;
import static io.tributary.demo.hostile.Attacks.QUOTA;
import static io.tributary.demo.hostile.Attacks.QOS0;
import static io.tributary.demo.hostile.Attacks.SLOW;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Attacks on fairness: one device over its publish quota, a QoS 0 flood, a client that never reads its socket, and
 * connections that never send CONNECT.
 */
public record FloodAttacks(Attacker attacker) {

    /**
     * One MQTT 5 device publishes small QoS 1 batches as fast as it can for {@code duration}, up to 48 unanswered
     * (below the gateway's Receive Maximum of 64), a reader thread counting the answers: the per-device quota must
     * answer 0x97.
     */
    public AttackResult publishQuota(Duration duration) throws IOException, InterruptedException {
        AttackResult result = new AttackResult("one device over its publish quota (QoS 1, MQTT 5)");
        long deadline = System.nanoTime() + duration.toNanos();
        Semaphore window = new Semaphore(48);
        AtomicLong sent = new AtomicLong();
        AtomicBoolean closed = new AtomicBoolean();
        try (MqttWire.RawClient client = attacker.session(QUOTA, 30)) {
            Thread reader = new Thread(() -> {
                try {
                    while (!closed.get()) {
                        MqttWire.Packet answer = client.await(MqttWire.PUBACK);
                        if (answer == null || answer.type() != MqttWire.PUBACK) {
                            result.answer(MqttWire.describe(answer));
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
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                if (!client.trySend(MqttWire.publish(true, 1, "devices/" + QUOTA + "/telemetry", packetId,
                        Batches.small(QUOTA)))) {
                    break;
                }
                packetId = packetId == 65_535 ? 1 : packetId + 1;
                sent.incrementAndGet();
            }
            window.tryAcquire(48, 10, TimeUnit.SECONDS); // the last answers
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
        try (MqttWire.RawClient client = attacker.session(QOS0, 30)) {
            while (System.nanoTime() < deadline) {
                if (!client.trySend(MqttWire.publish(true, 0, "devices/" + QOS0 + "/telemetry", 0,
                        Batches.small(QOS0)))) {
                    result.answer("connection closed by the gateway");
                    break;
                }
                sent++;
            }
            if (sent > 0 && System.nanoTime() >= deadline) {
                result.answer(Attacker.ending(client, Duration.ofMillis(500)));
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
        Arrays.fill(config, (byte) 'x');
        HostileCluster cluster = attacker.cluster();
        cluster.kafka().setDeviceConfig(SLOW, config);
        Thread.sleep(1_000); // the gateway follows the configuration topic within a poll
        long deadline = System.nanoTime() + duration.toNanos();
        long started = System.nanoTime();
        // CONNECT and go on at once: even the CONNACK stays unread in the client's receive buffer
        try (MqttWire.RawClient unread = MqttWire.RawClient.open(cluster.mqttHost(), cluster.mqttPort(), null,
                Attacker.ANSWER_TIMEOUT, true)) {
            unread.send(MqttWire.connect(MqttWire.LEVEL_5, SLOW, SLOW, attacker.secret(SLOW), 0));
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
        InetAddress source = Attacker.address("127.0.0.3");
        List<MqttWire.RawClient> clients = new ArrayList<>();
        int refused = 0;
        try {
            for (int i = 0; i < count; i++) {
                try {
                    clients.add(attacker.open(source, Duration.ofSeconds(5)));
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

    /** Connections the gateway closed; each is closed here too, so it is not read again. */
    private static int countClosed(List<MqttWire.RawClient> clients) {
        int closed = 0;
        for (MqttWire.RawClient client : clients) {
            try {
                if (!client.isClosed() && Attacker.reaction(client, Duration.ofMillis(1)).endsWith("closed")) {
                    client.close();
                }
            } catch (IOException e) {
                // silence: still open
            }
            closed += client.isClosed() ? 1 : 0;
        }
        return closed;
    }
}
