package io.tributary.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchWireScanTest {

    private static final String DEVICE = "dev-1";
    private static final String[] SENSORS = {"temperature", "t", "température", "vibration_rms"};
    private static final String[] UNITS = {"", "degC", "°C", "%", "m/s²"};

    @Test
    void provesAnOrdinaryBatchWithItsCounts() {
        ReadingBatch batch = TelemetryValidatorTest.batch(DEVICE, 10).toBuilder().setDroppedReadings(3).build();

        assertThat(BatchWireScan.prove(batch.toByteArray(), DEVICE)).isEqualTo(new BatchWireScan.Proven(10, 3));
    }

    @Test
    void provesNonAsciiSensorsAndUnits() {
        ReadingBatch batch = ReadingBatch.newBuilder().setDeviceId(DEVICE).addReadings(Reading.newBuilder()
                .setSensor("température").setUnit("°C").setValue(1).setEventTimeUnixNanos(1)).build();

        assertThat(BatchWireScan.prove(batch.toByteArray(), DEVICE)).isEqualTo(new BatchWireScan.Proven(1, 0));
    }

    @Test
    void takesTheLastOfARepeatedSingularFieldAsTheParseDoes() throws IOException {
        byte[] batch = TelemetryValidatorTest.batch(DEVICE, 1).toByteArray();
        ByteArrayOutputStream otherDeviceFirst = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(otherDeviceFirst);
        out.writeString(1, "dev-2");
        out.flush();
        otherDeviceFirst.write(batch);

        assertThat(BatchWireScan.prove(otherDeviceFirst.toByteArray(), DEVICE)).isNotNull();
        assertThat(BatchWireScan.prove(batch, "dev-2")).isNull();
    }

    @Test
    void leavesWhatItCannotProveToTheParse() {
        assertThat(BatchWireScan.prove(new byte[0], DEVICE)).as("no device id, no reading").isNull();
        assertThat(BatchWireScan.prove(TelemetryValidatorTest.batch(DEVICE, 0).toByteArray(), DEVICE))
                .as("no reading").isNull();
        assertThat(BatchWireScan.prove(TelemetryValidatorTest.batch("dev-2", 1).toByteArray(), DEVICE))
                .as("another device").isNull();
        byte[] full = TelemetryValidatorTest.batch(DEVICE, 2).toByteArray();
        assertThat(BatchWireScan.prove(Arrays.copyOf(full, full.length - 1), DEVICE)).as("truncated").isNull();
        byte[] fieldZero = Arrays.copyOf(full, full.length + 2);
        fieldZero[full.length] = 0; // tag 0: field number 0 is invalid
        assertThat(BatchWireScan.prove(fieldZero, DEVICE)).as("field number 0").isNull();
        byte[] longVarint = Arrays.copyOf(full, full.length + 12);
        longVarint[full.length] = 6 << 3; // an unknown varint field of 11 bytes: malformed
        Arrays.fill(longVarint, full.length + 1, full.length + 12, (byte) 0x80);
        longVarint[full.length + 11] = 1;
        assertThat(BatchWireScan.prove(longVarint, DEVICE)).as("varint over 10 bytes").isNull();
        ReadingBatch negativeTime = TelemetryValidatorTest.batch(DEVICE, 1).toBuilder()
                .setReadings(0, Reading.newBuilder().setSensor("t").setEventTimeUnixNanos(-5)).build();
        assertThat(BatchWireScan.prove(negativeTime.toByteArray(), DEVICE)).as("negative event time").isNull();
    }

    /**
     * The walk against the full parse on random batches and random corruptions of them: whatever the walk proves, the
     * parse must accept with the same counts; and the walk must prove every well-formed batch that is valid.
     */
    @Test
    void neverProvesWhatTheParseRefusesAndProvesWhatItShould() throws IOException {
        Random random = new Random(20261206);
        int proven = 0;
        int validByParse = 0;
        int cleanValid = 0;
        for (int i = 0; i < 30_000; i++) {
            String device = random.nextInt(20) == 0 ? "dev-2" : DEVICE;
            byte[] clean = randomBatch(random, device);
            boolean mutate = random.nextInt(3) > 0;
            byte[] payload = mutate ? mutate(random, clean) : clean;

            BatchWireScan.Proven scan = BatchWireScan.prove(payload, DEVICE);
            ValidationResult parsed = TelemetryValidator.validateByParsing(DEVICE, payload);

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
        out.writeDouble(2, random.nextGaussian());
        if (random.nextBoolean()) {
            out.writeString(3, UNITS[random.nextInt(UNITS.length)]);
        }
        if (random.nextInt(50) > 0) {
            out.writeInt64(4, random.nextInt(50) == 0 ? -random.nextInt(1000) : 1_700_000_000_000_000_000L
                    + random.nextInt(1_000_000));
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
        return random.nextInt(50) == 0 ? "" : SENSORS[random.nextInt(SENSORS.length)];
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
