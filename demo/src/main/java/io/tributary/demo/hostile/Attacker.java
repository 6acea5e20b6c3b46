package io.tributary.demo.hostile;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;

/**
 * What every attack family shares: the attackers' secrets (valid ones, as a stolen or cloned device holds) and raw
 * MQTT connections to the gateway, with ways to read how the gateway answered.
 */
record Attacker(HostileCluster cluster, Map<String, byte[]> secrets) {

    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    Attacker {
        secrets = Map.copyOf(secrets);
    }

    byte[] secret(String device) {
        return secrets.get(device);
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** A raw connection from {@code source} (null: the default address) answering within {@code timeout}. */
    MqttWire.RawClient open(InetAddress source, Duration timeout) throws IOException {
        return MqttWire.RawClient.open(cluster.mqttHost(), cluster.mqttPort(), source, timeout, false);
    }

    MqttWire.RawClient open(InetAddress source) throws IOException {
        return open(source, ANSWER_TIMEOUT);
    }

    /** A connected MQTT 5 session of {@code device} (retrying while the gateway still learns the device). */
    MqttWire.RawClient session(String device, int keepAlive) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            MqttWire.RawClient client = open(null);
            MqttWire.Packet answer = client.connect(device, secret(device), keepAlive);
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
    static int publishAndAwait(MqttWire.RawClient client, String device, int packetId, byte[] payload)
            throws IOException {
        client.send(MqttWire.publish(true, 1, "devices/" + device + "/telemetry", packetId, payload));
        MqttWire.Packet answer = client.await(MqttWire.PUBACK);
        if (answer == null) {
            return -1;
        }
        return answer.type() == MqttWire.PUBACK ? answer.pubackCode() : -(answer.disconnectCode());
    }

    static String code(int code) {
        return code < 0 ? "closed" : String.format("PUBACK 0x%02x", code);
    }

    /** How a connection ended, reading what is left: {@code DISCONNECT 0x8e}, {@code closed}, or {@code open}. */
    static String ending(MqttWire.RawClient client, Duration wait) throws IOException {
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

    /** The gateway's first answer and whether it closed: e.g. {@code CONNACK 0x84, closed}; {@code open} if silent. */
    static String reaction(MqttWire.RawClient client, Duration wait) throws IOException {
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
}
