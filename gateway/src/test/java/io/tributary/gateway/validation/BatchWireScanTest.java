package io.tributary.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import io.tributary.contract.ContractRule;
import io.tributary.contract.InputContract;
import io.tributary.contract.SensorCardinality;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchWireScanTest {

    private static final String DEVICE = "dev-1";
    private static final long NOW = TelemetryValidatorTest.NOW;
    /** Sensors of valid names; the device is known to use them all, so a valid batch of them is proven on the wire. */
    private static final String[] SENSORS = {"temperature", "t", "rack/7:inlet.temp", "vibration_rms"};
    /** Sensors that break the contract (the differential test's hostile cases). */
    private static final String[] BAD_SENSORS = {"température", "cpu temp", "a\nb", "x".repeat(129)};
    private static final String[] UNITS = {"", "degC", "°C", "%", "m/s²"};
    private static final String[] BAD_UNITS = {"deg\u0007", "u".repeat(33), "\u202e", "a\u2028"};
    /** A contract with a small batch limit, so random batches exceed it too. */
    private static final InputContract CONTRACT = InputContract.DEFAULTS.withMaxReadingsPerBatch(10);
    private static final SensorCardinality.KnownSensors KNOWN = known();

    private static SensorCardinality.KnownSensors known() {
        SensorCardinality cardinality = new SensorCardinality(CONTRACT);
        cardinality.admit(DEVICE, knownSensorNames());
        return cardinality.known(DEVICE);
    }

    /** {@link #SENSORS} and those of {@link TelemetryValidatorTest#batch}. */
    private static java.util.List<String> knownSensorNames() {
        java.util.List<String> names = new java.util.ArrayList<>(Arrays.asList(SENSORS));
        for (int i = 0; i < 12; i++) {
            names.add("s" + i);
        }
        return names;
    }

    private static BatchWireScan.Proven prove(byte[] payload, String topicDeviceId) {
        return BatchWireScan.prove(payload, topicDeviceId, CONTRACT, NOW, KNOWN);
    }

    @Test
    void provesAnOrdinaryBatchWithItsCounts() {
        ReadingBatch batch = TelemetryValidatorTest.batch(DEVICE, 10).toBuilder().setDroppedReadings(3).build();

        assertThat(prove(batch.toByteArray(), DEVICE)).isEqualTo(new BatchWireScan.Proven(10, 3));
    }

    @Test
    void provesNonAsciiUnits() {
        ReadingBatch batch = ReadingBatch.newBuilder().setDeviceId(DEVICE).addReadings(Reading.newBuilder()
                .setSensor("temperature").setUnit("°C").setValue(1).setEventTimeUnixNanos(NOW)).build();

        assertThat(prove(batch.toByteArray(), DEVICE)).isEqualTo(new BatchWireScan.Proven(1, 0));
    }

    @Test
    void leavesContractViolationsToTheParse() {
        Reading valid = Reading.newBuilder().setSensor("t").setUnit("degC").setValue(1).setEventTimeUnixNanos(NOW)
                .build();
        assertThat(prove(batchOf(valid), DEVICE)).as("valid").isNotNull();
        assertThat(prove(batchOf(valid.toBuilder().setValue(1e308).build()), DEVICE)).as("1e308 is finite")
                .isNotNull();
        assertThat(prove(batchOf(valid.toBuilder().setValue(Double.NaN).build()), DEVICE)).as("NaN").isNull();
        assertThat(prove(batchOf(valid.toBuilder().setValue(Double.NEGATIVE_INFINITY).build()), DEVICE))
                .as("-Infinity").isNull();
        assertThat(prove(batchOf(valid.toBuilder().setEventTimeUnixNanos(Long.MAX_VALUE).build()), DEVICE))
                .as("year 2262").isNull();
        assertThat(prove(batchOf(valid.toBuilder().setEventTimeUnixNanos(NOW + 300_000_000_001L).build()), DEVICE))
                .as("5 minutes and 1 ns ahead").isNull();
        assertThat(prove(batchOf(valid.toBuilder().setEventTimeUnixNanos(NOW + 300_000_000_000L).build()), DEVICE))
                .as("5 minutes ahead").isNotNull();
        assertThat(prove(batchOf(valid.toBuilder().setEventTimeUnixNanos(1).build()), DEVICE)).as("1970").isNull();
        assertThat(prove(batchOf(valid.toBuilder().setSensor("température").build()), DEVICE)).as("non-ASCII")
                .isNull();
        assertThat(prove(batchOf(valid.toBuilder().setSensor("new_sensor").build()), DEVICE)).as("a new sensor")
                .isNull();
        assertThat(prove(batchOf(valid.toBuilder().setUnit("deg\nC").build()), DEVICE)).as("control in unit")
                .isNull();
        Reading[] eleven = new Reading[11];
        Arrays.fill(eleven, valid);
        assertThat(prove(batchOf(eleven), DEVICE)).as("more than 10 readings").isNull();
        assertThat(prove(batchOf(Arrays.copyOf(eleven, 10)), DEVICE)).as("10 readings").isNotNull();
    }

    private static byte[] batchOf(Reading... readings) {
        return ReadingBatch.newBuilder().setDeviceId(DEVICE).addAllReadings(Arrays.asList(readings)).build()
                .toByteArray();
    }

    @Test
    void takesTheLastOfARepeatedSingularFieldAsTheParseDoes() throws IOException {
        byte[] batch = TelemetryValidatorTest.batch(DEVICE, 1).toByteArray();
        ByteArrayOutputStream otherDeviceFirst = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(otherDeviceFirst);
        out.writeString(1, "dev-2");
        out.flush();
        otherDeviceFirst.write(batch);

        assertThat(prove(otherDeviceFirst.toByteArray(), DEVICE)).isNotNull();
        assertThat(prove(batch, "dev-2")).isNull();
    }

    @Test
    void leavesWhatItCannotProveToTheParse() {
        assertThat(prove(new byte[0], DEVICE)).as("no device id, no reading").isNull();
        assertThat(prove(TelemetryValidatorTest.batch(DEVICE, 0).toByteArray(), DEVICE))
                .as("no reading").isNull();
        assertThat(prove(TelemetryValidatorTest.batch("dev-2", 1).toByteArray(), DEVICE))
                .as("another device").isNull();
        byte[] full = TelemetryValidatorTest.batch(DEVICE, 2).toByteArray();
        assertThat(prove(Arrays.copyOf(full, full.length - 1), DEVICE)).as("truncated").isNull();
        byte[] fieldZero = Arrays.copyOf(full, full.length + 2);
        fieldZero[full.length] = 0; // tag 0: field number 0 is invalid
        assertThat(prove(fieldZero, DEVICE)).as("field number 0").isNull();
        byte[] longVarint = Arrays.copyOf(full, full.length + 12);
        longVarint[full.length] = 6 << 3; // an unknown varint field of 11 bytes: malformed
        Arrays.fill(longVarint, full.length + 1, full.length + 12, (byte) 0x80);
        longVarint[full.length + 11] = 1;
        assertThat(prove(longVarint, DEVICE)).as("varint over 10 bytes").isNull();
        ReadingBatch negativeTime = TelemetryValidatorTest.batch(DEVICE, 1).toBuilder()
                .setReadings(0, Reading.newBuilder().setSensor("t").setEventTimeUnixNanos(-5)).build();
        assertThat(prove(negativeTime.toByteArray(), DEVICE)).as("negative event time").isNull();
    }

    /**
     * The walk against the full parse on random batches and random corruptions of them: whatever the walk proves, the
     * parse must accept with the same counts; and the walk must prove every well-formed batch that is valid.
     */
    @Test
    void neverProvesWhatTheParseRefusesAndProvesWhatItShould() throws IOException {
        Random random = new Random(20261206);
        // the parse's sensors per device start as the walk's, and the limit is never reached: a new sensor is
        // left to the parse by the walk, and admitted by it
        TelemetryValidator parser = new TelemetryValidator(1024 * 1024, CONTRACT, new SensorCardinality(1_000_000),
                () -> NOW, io.tributary.gateway.GatewayMetrics.NOOP);
        parser.cardinality().admit(DEVICE, knownSensorNames());
        java.util.Set<ContractRule> violations = java.util.EnumSet.noneOf(ContractRule.class);
        int proven = 0;
        int validByParse = 0;
        int cleanValid = 0;
        for (int i = 0; i < 30_000; i++) {
            String device = random.nextInt(20) == 0 ? "dev-2" : DEVICE;
            byte[] clean = randomBatch(random, device);
            boolean mutate = random.nextInt(3) > 0;
            byte[] payload = mutate ? mutate(random, clean) : clean;

            BatchWireScan.Proven scan = prove(payload, DEVICE);
            ValidationResult parsed = parser.validateByParsing(DEVICE, payload, NOW);
            if (parsed instanceof ValidationResult.Invalid invalid && invalid.rule() != null) {
                violations.add(invalid.rule());
                assertThat(scan).as("case %d: breaks %s, so the walk must not prove it", i, invalid.rule()).isNull();
            }

            if (scan != null) {
                proven++;
                assertThat(parsed).as("case %d: proven by the walk, so the parse must accept it", i)
                        .isEqualTo(new ValidationResult.Valid(scan.readings(), scan.droppedReadings()));
            }
            if (parsed instanceof ValidationResult.Valid) {
                validByParse++;
                if (!mutate) {
                    cleanValid++;
                    assertThat(scan).as("case %d: a well-formed valid batch", i).isNotNull();
                }
            }
        }
        // the corpus must exercise both sides: many valid, many not, and mutations the walk still proves
        assertThat(cleanValid).isGreaterThan(2_000);
        assertThat(validByParse).isLessThan(25_000);
        assertThat(proven).isGreaterThan(cleanValid);
        assertThat(violations).as("every stateless rule met, and the walk proved none of them").containsAll(
                java.util.EnumSet.complementOf(java.util.EnumSet.of(ContractRule.NO_READINGS,
                        ContractRule.TOO_MANY_SENSORS)));
    }

    /** A batch written field by field: random order, repeated and unknown fields, odd values. */
    private static byte[] randomBatch(Random random, String device) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        if (random.nextInt(10) == 0) {
            out.writeString(1, "dev-9"); // overwritten below: the last one counts
        }
        out.writeString(1, device);
        out.writeUInt64(2, random.nextLong() & 0xffff);
        if (random.nextBoolean()) {
            out.writeInt64(3, random.nextLong());
        }
        int readings = random.nextInt(12);
        for (int r = 0; r < readings; r++) {
            out.writeByteArray(4, randomReading(random));
        }
        if (random.nextBoolean()) {
            out.writeUInt64(5, random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(100));
        }
        if (random.nextInt(5) == 0) {
            writeUnknown(random, out);
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] randomReading(Random random) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        if (random.nextInt(50) > 0) {
            out.writeString(1, sensor(random));
        }
        if (random.nextInt(10) > 0) {
            out.writeDouble(2, value(random));
        }
        if (random.nextBoolean()) {
            out.writeString(3, random.nextInt(60) == 0 ? BAD_UNITS[random.nextInt(BAD_UNITS.length)]
                    : UNITS[random.nextInt(UNITS.length)]);
        }
        if (random.nextInt(50) > 0) {
            out.writeInt64(4, eventTime(random));
        }
        if (random.nextInt(8) == 0) {
            writeUnknown(random, out);
        }
        if (random.nextInt(10) == 0) {
            out.writeString(1, sensor(random)); // a repeated singular field
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static String sensor(Random random) {
        int dice = random.nextInt(100);
        if (dice < 2) {
            return "";
        }
        return dice < 4 ? BAD_SENSORS[random.nextInt(BAD_SENSORS.length)] : SENSORS[random.nextInt(SENSORS.length)];
    }

    /** Mostly ordinary values, sometimes huge finite ones, NaN (of either sign and payload) or an infinity. */
    private static double value(Random random) {
        switch (random.nextInt(60)) {
            case 0:
                return Double.NaN;
            case 1:
                return Double.longBitsToDouble(0xfff0_0000_0000_0000L | random.nextLong() >>> 12 | 1); // a NaN
            case 2:
                return random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 3:
                return random.nextBoolean() ? 1e308 : -Double.MAX_VALUE;
            default:
                return random.nextGaussian();
        }
    }

    /** Mostly within the window, sometimes at or beyond its ends, 0 or negative. */
    private static long eventTime(Random random) {
        long age = InputContract.DEFAULTS.maxEventAge().toNanos();
        long future = InputContract.DEFAULTS.maxEventFuture().toNanos();
        switch (random.nextInt(50)) {
            case 0:
                return -random.nextInt(1000);
            case 1:
                return NOW + future + random.nextInt(2); // the last instant accepted, or just after it
            case 2:
                return NOW - age - random.nextInt(2); // the first instant accepted, or just before it
            case 3:
                return random.nextBoolean() ? Long.MAX_VALUE : 1;
            default:
                return NOW - random.nextInt(1_000_000);
        }
    }

    private static void writeUnknown(Random random, CodedOutputStream out) throws IOException {
        int field = 6 + random.nextInt(100);
        switch (random.nextInt(5)) {
            case 0 -> out.writeUInt64(field, random.nextLong());
            case 1 -> out.writeFixed64(field, random.nextLong());
            case 2 -> out.writeFixed32(field, random.nextInt());
            case 3 -> out.writeByteArray(field, new byte[random.nextInt(8)]);
            default -> out.writeUInt64(1 + random.nextInt(4), 3); // a known field number with a wrong wire type
        }
    }

    private static byte[] mutate(Random random, byte[] clean) {
        if (clean.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        byte[] copy = clean.clone();
        switch (random.nextInt(5)) {
            case 0 -> copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
            case 1 -> copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
            case 2 -> copy = Arrays.copyOf(copy, random.nextInt(copy.length));
            case 3 -> {
                int at = random.nextInt(copy.length + 1);
                byte[] longer = new byte[copy.length + 1];
                System.arraycopy(copy, 0, longer, 0, at);
                longer[at] = (byte) random.nextInt(256);
                System.arraycopy(copy, at, longer, at + 1, copy.length - at);
                copy = longer;
            }
            default -> {
                byte[] tail = new byte[1 + random.nextInt(4)];
                random.nextBytes(tail);
                copy = Arrays.copyOf(copy, copy.length + tail.length);
                System.arraycopy(tail, 0, copy, copy.length - tail.length, tail.length);
            }
        }
        return copy;
    }
}
