package io.tributary.demo.hostile;

import static io.tributary.demo.hostile.Attacks.HUGE;
import static io.tributary.demo.hostile.Attacks.CONTRACT;
import static io.tributary.demo.hostile.Attacks.KAFKA_POISON;
import static io.tributary.demo.hostile.Attacks.SENSORS;

import io.tributary.proto.v1.ReadingBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Attacks on the input contract: readings that break it, at the door and straight into Kafka; series cardinality. */
public record InputAttacks(Attacker attacker) {

    private static final long SECOND = 1_000_000_000L;
    private static final long YEAR_2200 = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond() * SECOND;

    /** Two readings of 1e308 in one 10 s window: finite, so accepted, and their rollup must stay finite. */
    public AttackResult hugeValues() throws IOException, InterruptedException {
        AttackResult result = new AttackResult("two readings of 1e308 in one window");
        long windowStart = (Batches.nowNanos() - 3_000_000_000L) / 10_000_000_000L * 10_000_000_000L;
        byte[] batch = Batches.batch(HUGE)
                .addReadings(Batches.reading("pressure", 1e308, windowStart + 1_000_000))
                .addReadings(Batches.reading("pressure", 1e308, windowStart + 2_000_000))
                .build().toByteArray();
        try (MqttWire.RawClient client = attacker.session(HUGE, 30)) {
            int code = Attacker.publishAndAwait(client, HUGE, 1, batch);
            result.answer(Attacker.code(code));
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
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("year_2200", Batches.withOdd(CONTRACT, 3, Batches.reading("temperature", 21, YEAR_2200)));
        cases.put("year_1990", Batches.withOdd(CONTRACT, 3,
                Batches.reading("temperature", 21, Instant.parse("1990-01-01T00:00:00Z").getEpochSecond() * SECOND)));
        cases.put("nan", Batches.withOdd(CONTRACT, 3, Batches.reading("temperature", Double.NaN, now)));
        cases.put("infinity", Batches.withOdd(CONTRACT, 3,
                Batches.reading("temperature", Double.POSITIVE_INFINITY, now + 1)));
        cases.put("sensor_above_0xff", Batches.withOdd(CONTRACT, 3,
                Batches.reading("temp\u0100\u20ac\uD83D\uDD25", 21, now + 2)));
        cases.put("sensor_300_chars", Batches.withOdd(CONTRACT, 3, Batches.reading("s".repeat(300), 21, now + 3)));
        try (MqttWire.RawClient client = attacker.session(CONTRACT, 30)) {
            int packetId = 1;
            for (Map.Entry<String, byte[]> one : cases.entrySet()) {
                int code = Attacker.publishAndAwait(client, CONTRACT, packetId++, one.getValue());
                result.answer(Attacker.code(code));
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
                Batches.withOdd(KAFKA_POISON, 2, Batches.reading("temperature", 21, YEAR_2200)),
                Batches.withOdd(KAFKA_POISON, 2, Batches.reading("temperature", Double.NaN, now)),
                Batches.withOdd(KAFKA_POISON, 2, Batches.reading("temp\u0100", 21, now + 1)),
                "not a batch at all".getBytes(StandardCharsets.UTF_8));
        for (byte[] record : records) {
            attacker.cluster().kafka().produce(attacker.cluster().topics().telemetry(), KAFKA_POISON, record);
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
        try (MqttWire.RawClient client = attacker.session(SENSORS, 30)) {
            int packetId = 1;
            for (int first = 0; first < maxSensors; first += 100) {
                ReadingBatch.Builder batch = Batches.batch(SENSORS);
                long t = Batches.nowNanos();
                for (int i = first; i < first + 100; i++) {
                    batch.addReadings(Batches.reading(String.format("s%05d", i), i, t));
                }
                int code = Attacker.publishAndAwait(client, SENSORS, packetId++, batch.build().toByteArray());
                result.answer(Attacker.code(code));
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
}
