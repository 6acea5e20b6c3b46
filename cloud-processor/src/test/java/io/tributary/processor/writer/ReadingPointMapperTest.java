package io.tributary.processor.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;


import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;

class ReadingPointMapperTest {

    private final ReadingPointMapper mapper = new ReadingPointMapper();

    @Test
    void shouldMapEveryReadingToOnePointWithExactNanosecondTime() {
        ReadingBatch batch = ReadingBatch.newBuilder()
                .setDeviceId("dev-1")
                .setBatchSeq(7)
                .addReadings(reading("cpu_temp", 21.5, 1_700_000_000_123_456_789L))
                .addReadings(reading("humidity", 40.0, 1_700_000_000_123_456_790L))
                .build();

        MappedRecord mapped = mapper.map(utf8("dev-1"), batch.toByteArray());

        assertThat(mapped).isInstanceOf(MappedRecord.Points.class);
        List<String> lines = lines((MappedRecord.Points) mapped);
        assertThat(lines).containsExactly(
                "readings,device=dev-1,sensor=cpu_temp value=21.5 1700000000123456789",
                "readings,device=dev-1,sensor=humidity value=40.0 1700000000123456790");
    }

    @Test
    void shouldEscapeSpacesCommasAndEqualsSignsInTagValues() {
        ReadingBatch batch = ReadingBatch.newBuilder()
                .setDeviceId("plant 3,line=2")
                .addReadings(reading("temp, outside", -3.25, 1_000_000_000_000_000_001L))
                .build();

        MappedRecord.Points mapped = (MappedRecord.Points) mapper.map(utf8("plant 3,line=2"), batch.toByteArray());

        assertThat(lines(mapped)).containsExactly(
                "readings,device=plant\\ 3\\,line\\=2,sensor=temp\\,\\ outside value=-3.25 1000000000000000001");
        assertThat(mapped.deviceId()).isEqualTo("plant 3,line=2");
    }

    @Test
    void shouldKeepUnicodeTagValuesAndFullDoublePrecision() {
        ReadingBatch batch = ReadingBatch.newBuilder()
                .setDeviceId("gerät-ü")
                .addReadings(reading("druck", 0.1 + 0.2, Long.MAX_VALUE - 10))
                .addReadings(reading("big", 1.0e20, 5))
                .addReadings(reading("tiny", 4.9e-324, 6))
                .build();

        List<String> lines = lines((MappedRecord.Points) mapper.map(utf8("gerät-ü"), batch.toByteArray()));

        assertThat(lines.get(0)).isEqualTo("readings,device=gerät-ü,sensor=druck value=0.30000000000000004 "
                + (Long.MAX_VALUE - 10));
        assertThat(fieldValue(lines.get(1))).isEqualTo(1.0e20);
        assertThat(fieldValue(lines.get(2))).isEqualTo(4.9e-324);
    }

    @Test
    void shouldAcceptRecordWithoutKeyUsingTheBatchDeviceId() {
        ReadingBatch batch = ReadingBatch.newBuilder().setDeviceId("dev-2")
                .addReadings(reading("s", 1, 1)).build();

        MappedRecord mapped = mapper.map(null, batch.toByteArray());

        assertThat(mapped).isInstanceOf(MappedRecord.Points.class);
        assertThat(((MappedRecord.Points) mapped).deviceId()).isEqualTo("dev-2");
    }

    @Test
    void shouldMapBatchWithoutReadingsToNoPoints() {
        ReadingBatch batch = ReadingBatch.newBuilder().setDeviceId("dev-3").setDroppedReadings(4).build();

        MappedRecord mapped = mapper.map(utf8("dev-3"), batch.toByteArray());

        assertThat(((MappedRecord.Points) mapped).points()).isEmpty();
    }

    @Test
    void shouldRejectBytesThatAreNotAReadingBatch() {
        MappedRecord mapped = mapper.map(utf8("dev-4"), utf8("{\"not\": \"protobuf\"}"));

        assertThat(mapped).isEqualTo(rejectedWith(mapped, "dev-4", DeadLetterReason.PAYLOAD_FORMAT_INVALID));
        assertThat(((MappedRecord.Rejected) mapped).detail()).contains("not a tributary.v1.ReadingBatch");
    }

    @Test
    void shouldRejectTombstoneAndBatchWithoutDeviceId() {
        assertThat(reason(mapper.map(utf8("dev-5"), null))).isEqualTo(DeadLetterReason.PAYLOAD_FORMAT_INVALID);
        assertThat(reason(mapper.map(utf8("dev-5"), new byte[0])))
                .isEqualTo(DeadLetterReason.PAYLOAD_FORMAT_INVALID);
    }

    @Test
    void shouldRejectBatchWhoseDeviceIdDiffersFromTheKey() {
        ReadingBatch batch = ReadingBatch.newBuilder().setDeviceId("intruder")
                .addReadings(reading("s", 1, 1)).build();

        MappedRecord mapped = mapper.map(utf8("dev-6"), batch.toByteArray());

        assertThat(mapped).isEqualTo(rejectedWith(mapped, "dev-6", DeadLetterReason.DEVICE_ID_MISMATCH));
        assertThat(((MappedRecord.Rejected) mapped).detail()).contains("dev-6").contains("intruder");
    }

    @Test
    void shouldRejectReadingsThatInfluxDbWouldDropOrMangleSilently() {
        assertThat(reason(mapOne(reading("s", Double.NaN, 1)))).isEqualTo(DeadLetterReason.READING_INVALID);
        assertThat(reason(mapOne(reading("s", Double.POSITIVE_INFINITY, 1))))
                .isEqualTo(DeadLetterReason.READING_INVALID);
        assertThat(reason(mapOne(reading("", 1, 1)))).isEqualTo(DeadLetterReason.READING_INVALID);
        assertThat(reason(mapOne(reading("s", 1, 0)))).isEqualTo(DeadLetterReason.READING_INVALID);
        assertThat(reason(mapOne(reading("s", 1, -5)))).isEqualTo(DeadLetterReason.READING_INVALID);
        assertThat(reason(mapOne(reading("a\\", 1, 1)))).isEqualTo(DeadLetterReason.READING_INVALID);
        assertThat(reason(mapOne(reading("a\nb", 1, 1)))).isEqualTo(DeadLetterReason.READING_INVALID);
    }

    @Test
    void shouldRejectTheWholeBatchWhenOneReadingIsInvalid() {
        ReadingBatch batch = ReadingBatch.newBuilder().setDeviceId("dev-7").setBatchSeq(9)
                .addReadings(reading("ok", 1, 1))
                .addReadings(reading("bad", Double.NaN, 2))
                .build();

        MappedRecord mapped = mapper.map(utf8("dev-7"), batch.toByteArray());

        assertThat(mapped).isInstanceOf(MappedRecord.Rejected.class);
        assertThat(((MappedRecord.Rejected) mapped).detail()).contains("reading 1").contains("batch_seq 9")
                .contains("NaN");
    }

    private MappedRecord mapOne(Reading reading) {
        ReadingBatch batch = ReadingBatch.newBuilder().setDeviceId("dev").addReadings(reading).build();
        return mapper.map(utf8("dev"), batch.toByteArray());
    }

    private static String reason(MappedRecord mapped) {
        assertThat(mapped).isInstanceOf(MappedRecord.Rejected.class);
        return ((MappedRecord.Rejected) mapped).reason();
    }

    private static MappedRecord.Rejected rejectedWith(MappedRecord actual, String device, String reason) {
        assertThat(actual).isInstanceOf(MappedRecord.Rejected.class);
        return new MappedRecord.Rejected(device, reason, ((MappedRecord.Rejected) actual).detail());
    }

    private static List<String> lines(MappedRecord.Points mapped) {
        return mapped.points().stream().map(LinePoint::toLineProtocol).toList();
    }

    private static double fieldValue(String line) {
        String afterField = line.substring(line.indexOf(" value=") + " value=".length());
        return Double.parseDouble(afterField.substring(0, afterField.indexOf(' ')));
    }

    static Reading reading(String sensor, double value, long eventTimeNanos) {
        return Reading.newBuilder().setSensor(sensor).setValue(value).setUnit("u")
                .setEventTimeUnixNanos(eventTimeNanos).build();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
