package io.tributary.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.gateway.RejectReason;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TelemetryValidatorTest {

    private final TelemetryValidator validator = new TelemetryValidator(1024);

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
        assertThat(BatchWireScan.prove(withGroup, "dev-1")).isNull();

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
                .setReadings(1, Reading.newBuilder().setValue(1).setEventTimeUnixNanos(5)).build();

        assertInvalid(validator.validate("dev-1", batch.toByteArray()), RejectReason.PAYLOAD_FORMAT_INVALID,
                "reading 1");
    }

    @Test
    void rejectsAReadingWithoutEventTime() {
        ReadingBatch batch = batch("dev-1", 1).toBuilder()
                .setReadings(0, Reading.newBuilder().setSensor("t").setValue(1)).build();

        assertInvalid(validator.validate("dev-1", batch.toByteArray()), RejectReason.PAYLOAD_FORMAT_INVALID,
                "no event time");
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
        ReadingBatch.Builder builder = ReadingBatch.newBuilder().setDeviceId(deviceId).setBatchSeq(7)
                .setCreatedAtUnixNanos(1_700_000_000_000_000_000L);
        for (int i = 0; i < readings; i++) {
            builder.addReadings(Reading.newBuilder().setSensor("s" + i).setValue(i).setUnit("degC")
                    .setEventTimeUnixNanos(1_700_000_000_000_000_000L + i));
        }
        return builder.build();
    }

    private static void assertInvalid(ValidationResult result, RejectReason reason, String detailPart) {
        assertThat(result).isInstanceOf(ValidationResult.Invalid.class);
        ValidationResult.Invalid invalid = (ValidationResult.Invalid) result;
        assertThat(invalid.reason()).isEqualTo(reason);
        assertThat(invalid.detail()).contains(detailPart);
    }
}
