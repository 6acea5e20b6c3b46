package io.tributary.demo.hostile;

import static io.tributary.demo.hostile.Attacks.FUZZ;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Malformed MQTT frames, before and inside a session. */
public record FrameAttacks(Attacker attacker) {

    /**
     * Fuzzed raw MQTT from 127.0.0.4: random bytes, truncated and oversized packets, bad protocol levels, bad MQTT 5
     * properties, malformed remaining lengths, PUBLISH before CONNECT, QoS 3. Every connection must be answered or
     * closed within 5 s of the attacker's last byte; the gateway must not write a stack trace per frame.
     */
    public AttackResult fuzz(int randomFrames, long seed) throws IOException, InterruptedException {
        AttackResult result = new AttackResult("fuzzed raw MQTT frames");
        InetAddress source = Attacker.address("127.0.0.4");
        long tracesBefore = stackTraceLines(attacker.cluster().gateway().output());
        List<Map.Entry<String, byte[]>> frames = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < randomFrames; i++) {
            byte[] bytes = new byte[1 + random.nextInt(2_000)];
            random.nextBytes(bytes);
            frames.add(Map.entry("random", bytes));
        }
        byte[] connect5 = MqttWire.connect(MqttWire.LEVEL_5, FUZZ, FUZZ, attacker.secret(FUZZ), 30);
        for (int cut = 1; cut < connect5.length; cut += Math.max(1, connect5.length / 12)) {
            frames.add(Map.entry("truncated", Arrays.copyOf(connect5, cut)));
        }
        // the random and truncated frames end with the client half-closing, as a client that gives up mid-packet:
        // the gateway must close too rather than wait for the rest; the frames below are whole and get an answer
        int halfClosed = frames.size();
        frames.addAll(wholeFrames());
        int answeredOrClosed = 0;
        int stillOpen = 0;
        List<String> acceptedMalformed = new ArrayList<>();
        // Silent ones (the gateway waits for more) are kept to see whether the connect timeout ends them.
        Map<String, MqttWire.RawClient> silent = new LinkedHashMap<>();
        long firstSilent = 0;
        for (int i = 0; i < frames.size(); i++) {
            String label = frames.get(i).getKey();
            MqttWire.RawClient client = null;
            try {
                client = attacker.open(source, Duration.ofSeconds(5));
                client.trySend(frames.get(i).getValue());
                if (i < halfClosed) {
                    client.finishSending();
                }
                String end = Attacker.reaction(client, Duration.ofSeconds(5));
                result.answer(i < halfClosed ? label + ": " + end : end);
                if (i >= halfClosed) {
                    result.fact(label, end);
                    if (end.startsWith("CONNACK 0x00")) {
                        acceptedMalformed.add(label);
                    }
                }
                if (end.equals("open")) {
                    stillOpen++;
                    firstSilent = firstSilent == 0 ? System.nanoTime() : firstSilent;
                    silent.put(label + " #" + i, client);
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
                if (!Attacker.reaction(one.getValue(), Duration.ofMillis(50)).endsWith("closed")) {
                    openPastConnectTimeout.add(one.getKey());
                }
                one.getValue().close();
            }
        }
        // After a valid session: an oversized packet (declared 200 MB), and a publish with a malformed property.
        try (MqttWire.RawClient client = attacker.session(FUZZ, 30)) {
            client.trySend(new byte[] {0x32, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x60, 0, 1, 't'});
            String end = Attacker.reaction(client, Duration.ofSeconds(5));
            result.answer("oversized PUBLISH in a session: " + end);
            result.fact("PUBLISH declaring 200 MB in a session", end);
        }
        try (MqttWire.RawClient client = attacker.session(FUZZ, 30)) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            MqttWire.writeString(body, "devices/" + FUZZ + "/telemetry");
            // packet id 1, then 3 bytes of properties: payload format indicator 7 (only 0/1 exist), twice
            body.writeBytes(new byte[] {0, 1, 3, 0x01, 0x07, 0x07});
            body.writeBytes(Batches.small(FUZZ));
            client.trySend(MqttWire.packet(0x32, body.toByteArray()));
            String end = Attacker.reaction(client, Duration.ofSeconds(5));
            result.answer("bad PUBLISH properties in a session: " + end);
            result.fact("PUBLISH with payload format indicator 7", end);
        }
        Thread.sleep(500);
        long traces = stackTraceLines(attacker.cluster().gateway().output()) - tracesBefore;
        result.fact("frames", frames.size()).fact("answered_or_closed", answeredOrClosed)
                .fact("still_open_after_5s", stillOpen).fact("gateway_stack_trace_lines", traces)
                .fact("malformed_connects_accepted", List.copyOf(acceptedMalformed))
                .fact("silent_then_open_past_connect_timeout", List.copyOf(openPastConnectTimeout));
        return result.end();
    }

    /** Whole malformed frames, each with the label its answer is reported under. */
    private List<Map.Entry<String, byte[]>> wholeFrames() {
        List<Map.Entry<String, byte[]>> frames = new ArrayList<>();
        for (int level : new int[] {0, 1, 2, 3, 6, 7, 255}) {
            frames.add(Map.entry("protocol level " + level, MqttWire.connect(level, "fuzz-level-" + level, FUZZ,
                    attacker.secret(FUZZ), 30, level >= 5 ? new byte[0] : null)));
        }
        String[] propertyCases = {"unknown property 0xFF", "session expiry twice", "user property cut short",
            "receive maximum 0", "maximum packet size 0"};
        byte[][] propertyBytes = {{(byte) 0xFF, 1}, {0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2}, {0x26, 0, 5, 'k'},
            {0x21, 0, 0}, {0x27, 0, 0, 0, 0}};
        for (int i = 0; i < propertyCases.length; i++) {
            frames.add(Map.entry("CONNECT with " + propertyCases[i],
                    MqttWire.connect(MqttWire.LEVEL_5, FUZZ, FUZZ, attacker.secret(FUZZ), 30, propertyBytes[i])));
        }
        frames.add(Map.entry("property length beyond the packet",
                new byte[] {0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 30, 0x7F, 0}));
        // remaining length of five bytes (at most four are allowed), and one of 256 MB with nothing after
        frames.add(Map.entry("remaining length of 5 bytes",
                new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01}));
        frames.add(Map.entry("CONNECT declaring 256 MB",
                new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}));
        frames.add(Map.entry("PUBLISH before CONNECT",
                MqttWire.publish(true, 1, "devices/" + FUZZ + "/telemetry", 1, Batches.small(FUZZ))));
        frames.add(Map.entry("PUBLISH QoS 3", new byte[] {0x36, 5, 0, 1, 't', 0, 1}));
        frames.add(Map.entry("PINGREQ before CONNECT", MqttWire.pingReq()));
        frames.add(Map.entry("CONNECT with reserved flags", new byte[] {0x1F, 0}));
        return frames;
    }

    static long stackTraceLines(String output) {
        return output.lines().filter(line -> line.startsWith("\tat ")).count();
    }
}
