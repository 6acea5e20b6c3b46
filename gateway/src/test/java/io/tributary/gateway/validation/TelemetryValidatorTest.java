package io.tributary.gateway.validation;

import static io.tributary.testing.batch.TestBatches.reading;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.contract.ContractRule;
import io.tributary.contract.InputContract;
import io.tributary.contract.SensorCardinality;
import io.tributary.gateway.RejectReason;
import io.tributary.gateway.metrics.MicrometerGatewayMetrics;
import java.time.Duration;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.testing.batch.TestBatches;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TelemetryValidatorTest {

    /** The gateway's clock in these tests: a minute after the event times of {@link #batch}. */
    static final long NOW = 1_700_000_000_000_000_000L + 60_000_000_000L;

    private final MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics();
    private final TelemetryValidator validator = validator(1024, InputContract.DEFAULTS);

    private TelemetryValidator validator(int maxPayloadBytes, InputContract contract) {
        return new TelemetryValidator(maxPayloadBytes, contract, new SensorCardinality(contract), () -> NOW, metrics);
    }

    @Test
    void acceptsAValidBatch() {
        ReadingBatch batch = batch("dev-1", 3).toBuilder().setDroppedReadings(4).build();

        ValidationResult result = validator.validate("dev-1", batch.toByteArray());

        assertThat(result).isEqualTo(new ValidationResult.Valid(3, 4));
    }

    @Test
    void acceptsAValidBatchTheWireWalkDoesNotProve() {
        // a group field (wire type 3, field 9, empty) is legal protobuf the wire walk leaves to the full parse
        byte[] plain = batch("dev-1", 2).toByteArray();
        byte[] withGroup = java.util.Arrays.copyOf(plain, plain.length + 2);
        withGroup[plain.length] = (byte) (9 << 3 | 3);
        withGroup[plain.length + 1] = (byte) (9 << 3 | 4);
        assertThat(BatchWireScan.prove(withGroup, "dev-1", InputContract.DEFAULTS, NOW,
                validator.cardinality().known("dev-1"))).isNull();

        assertThat(validator.validate("dev-1", withGroup)).isEqualTo(new ValidationResult.Valid(2, 0));
    }

    @Test
    void rejectsAnInvalidUtf8Unit() throws java.io.IOException {
        // the builders refuse invalid UTF-8, so the reading is written field by field
        java.io.ByteArrayOutputStream reading = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(reading);
        out.writeString(1, "t");
        out.writeByteArray(3, new byte[] {(byte) 0xc3, 0x28});
        out.writeInt64(4, 5);
        out.flush();
        java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
        out = com.google.protobuf.CodedOutputStream.newInstance(batch);
        out.writeString(1, "dev-1");
        out.writeByteArray(4, reading.toByteArray());
        out.flush();
        byte[] payload = batch.toByteArray();

        assertInvalid(validator.validate("dev-1", payload), RejectReason.PAYLOAD_FORMAT_INVALID, "UTF-8");
    }

    @Test
    void rejectsBytesThatAreNotABatch() {
        ValidationResult result = validator.validate("dev-1", "not a protobuf".getBytes(StandardCharsets.UTF_8));

        assertInvalid(result, RejectReason.PAYLOAD_FORMAT_INVALID, "not a ReadingBatch");
    }

    @Test
    void rejectsATruncatedBatch() {
        byte[] full = batch("dev-1", 2).toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(full, full.length - 3);

        assertInvalid(validator.validate("dev-1", truncated), RejectReason.PAYLOAD_FORMAT_INVALID, "");
    }

    @Test
    void rejectsAnEmptyPayloadAsMismatchBecauseItCarriesNoDeviceId() {
        // Zero bytes is a valid, empty protobuf message: its device_id is "".
        assertInvalid(validator.validate("dev-1", new byte[0]), RejectReason.DEVICE_ID_MISMATCH, "dev-1");
    }

    @Test
    void rejectsABatchOfAnotherDevice() {
        ValidationResult result = validator.validate("dev-1", batch("dev-2", 1).toByteArray());

        assertInvalid(result, RejectReason.DEVICE_ID_MISMATCH, "'dev-2'");
    }

    @Test
    void rejectsABatchWithoutReadings() {
        ValidationResult result = validator.validate("dev-1", batch("dev-1", 0).toByteArray());

        assertInvalid(result, RejectReason.EMPTY_BATCH, "no reading");
    }

    @Test
    void rejectsAReadingWithoutSensorName() {
        ReadingBatch batch = batch("dev-1", 2).toBuilder()
                .setReadings(1, Reading.newBuilder().setValue(1).setEventTimeUnixNanos(NOW)).build();

        assertViolation(validator.validate("dev-1", batch.toByteArray()), ContractRule.SENSOR_NAME_EMPTY,
                "reading 1: sensor name is empty");
    }

    @Test
    void rejectsAReadingWithoutEventTime() {
        ReadingBatch batch = batch("dev-1", 1).toBuilder()
                .setReadings(0, Reading.newBuilder().setSensor("t").setValue(1)).build();

        assertViolation(validator.validate("dev-1", batch.toByteArray()), ContractRule.EVENT_TIME_MISSING,
                "reading 0 (sensor 't'): event time is missing (0)");
    }

    // ---- the input contract (issue 17) ----

    @Test
    void refusesAReadingFromTheYear2200NamingTheReadingAndTheRule() {
        long year2200 = java.time.Instant.parse("2200-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
        ReadingBatch batch = batch("dev-1", 5).toBuilder()
                .setReadings(3, Reading.newBuilder().setSensor("temp").setValue(1).setEventTimeUnixNanos(year2200))
                .build();

        assertViolation(validator.validate("dev-1", batch.toByteArray()), ContractRule.EVENT_TIME_IN_FUTURE,
                "reading 3 (sensor 'temp'): event time 2200-01-01T00:00:00Z is more than 5m ahead of the");
        assertThat(metrics.contractViolations(ContractRule.EVENT_TIME_IN_FUTURE)).isEqualTo(1);
    }

    @Test
    void refusesAReadingOlderThanTheMaximumAgeAndTakesTheDemosClockSkew() {
        long twoHoursAgo = NOW - Duration.ofHours(2).toNanos();
        ReadingBatch skewed = batch("dev-1", 1).toBuilder()
                .setReadings(0, Reading.newBuilder().setSensor("s0").setEventTimeUnixNanos(twoHoursAgo)).build();
        assertThat(validator.validate("dev-1", skewed.toByteArray())).isEqualTo(new ValidationResult.Valid(1, 0));

        ReadingBatch old = batch("dev-1", 1).toBuilder().setReadings(0, Reading.newBuilder().setSensor("s0")
                .setEventTimeUnixNanos(NOW - Duration.ofDays(31).toNanos())).build();
        assertViolation(validator.validate("dev-1", old.toByteArray()), ContractRule.EVENT_TIME_TOO_OLD,
                "more than 30d behind");
    }

    @Test
    void refusesNanAndInfinitiesButAcceptsHugeFiniteValues() {
        for (double value : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            ReadingBatch batch = batch("dev-1", 3).toBuilder().setReadings(2, Reading.newBuilder().setSensor("s2")
                    .setValue(value).setEventTimeUnixNanos(NOW)).build();
            assertViolation(validator.validate("dev-1", batch.toByteArray()), ContractRule.VALUE_NOT_FINITE,
                    "reading 2 (sensor 's2'): value " + value + " is not finite");
        }
        ReadingBatch huge = batch("dev-1", 2).toBuilder().setReadings(0, Reading.newBuilder().setSensor("s0")
                .setValue(1e308).setEventTimeUnixNanos(NOW)).setReadings(1, Reading.newBuilder().setSensor("s1")
                .setValue(-Double.MAX_VALUE).setEventTimeUnixNanos(NOW)).build();
        assertThat(validator.validate("dev-1", huge.toByteArray())).isEqualTo(new ValidationResult.Valid(2, 0));
        assertThat(metrics.contractViolations(ContractRule.VALUE_NOT_FINITE)).isEqualTo(3);
    }

    @Test
    void refusesUnsafeSensorNamesAndUnits() {
        for (String name : new String[] {"cpu temp", "temp,outside=x", "température", "a\nb", "x".repeat(129)}) {
            ReadingBatch batch = batch("dev-1", 1).toBuilder().setReadings(0, Reading.newBuilder().setSensor(name)
                    .setEventTimeUnixNanos(NOW)).build();
            ValidationResult result = validator.validate("dev-1", batch.toByteArray());
            assertThat(result).as(name).isInstanceOf(ValidationResult.Invalid.class);
            assertThat(((ValidationResult.Invalid) result).reason()).isEqualTo(RejectReason.CONTRACT_VIOLATION);
        }
        ReadingBatch bell = batch("dev-1", 1).toBuilder().setReadings(0, Reading.newBuilder().setSensor("s0")
                .setUnit("deg\u0007").setEventTimeUnixNanos(NOW)).build();
        assertViolation(validator.validate("dev-1", bell.toByteArray()), ContractRule.UNIT_INVALID, "\\u0007");
    }

    @Test
    void refusesTooManyReadings() {
        TelemetryValidator small = validator(64 * 1024, InputContract.DEFAULTS.withMaxReadingsPerBatch(10));
        assertThat(small.validate("dev-1", batch("dev-1", 10).toByteArray())).isEqualTo(
                new ValidationResult.Valid(10, 0));

        assertViolation(small.validate("dev-1", batch("dev-1", 11).toByteArray()), ContractRule.TOO_MANY_READINGS,
                "batch holds 11 readings, more than the maximum of 10");
    }

    @Test
    void refusesANewSensorBeyondTheDevicesLimitAndProvesKnownOnesOnTheWire() {
        TelemetryValidator small = validator(64 * 1024, InputContract.DEFAULTS.withMaxSensorsPerDevice(3));
        byte[] three = batch("dev-1", 3).toByteArray();
        assertThat(BatchWireScan.prove(three, "dev-1", small.contract(), NOW, small.cardinality().known("dev-1")))
                .as("new sensors: left to the parse").isNull();
        assertThat(small.validate("dev-1", three)).isEqualTo(new ValidationResult.Valid(3, 0));
        assertThat(BatchWireScan.prove(three, "dev-1", small.contract(), NOW, small.cardinality().known("dev-1")))
                .as("known sensors: proven on the wire").isNotNull();

        assertViolation(small.validate("dev-1", batch("dev-1", 4).toByteArray()), ContractRule.TOO_MANY_SENSORS,
                "reading 3 (sensor 's3'): device would use more than the maximum of 3 distinct sensor names");
        assertThat(small.validate("dev-2", batch("dev-2", 3).toByteArray())).as("another device")
                .isEqualTo(new ValidationResult.Valid(3, 0));
        assertThat(metrics.contractViolations(ContractRule.TOO_MANY_SENSORS)).isEqualTo(1);
    }

    private static void assertViolation(ValidationResult result, ContractRule rule, String detailPart) {
        assertInvalid(result, RejectReason.CONTRACT_VIOLATION, detailPart);
        assertThat(((ValidationResult.Invalid) result).rule()).isEqualTo(rule);
    }

    @Test
    void rejectsAPayloadOverTheLimitBeforeParsingIt() {
        byte[] large = new byte[1025];

        assertInvalid(validator.validate("dev-1", large), RejectReason.PAYLOAD_TOO_LARGE, "1025 bytes");
    }

    @Test
    void acceptsAPayloadOfExactlyTheLimit() {
        assertThat(validator.checkSize(1024)).isEmpty();
        assertThat(validator.checkSize(1025)).isPresent();
    }

    @Test
    void refusesANonPositiveLimit() {
        assertThatThrownBy(() -> new TelemetryValidator(0)).isInstanceOf(IllegalArgumentException.class);
    }

    static ReadingBatch batch(String deviceId, int readings) {
        return TestBatches.batch(deviceId).seq(7).createdAt(1_700_000_000_000_000_000L)
                .add(readings, i -> reading("s" + i, i, 1_700_000_000_000_000_000L + i).setUnit("degC")).build();
    }

    private static void assertInvalid(ValidationResult result, RejectReason reason, String detailPart) {
        assertThat(result).isInstanceOf(ValidationResult.Invalid.class);
        ValidationResult.Invalid invalid = (ValidationResult.Invalid) result;
        assertThat(invalid.reason()).isEqualTo(reason);
        assertThat(invalid.detail()).contains(detailPart);
    }
}
