package io.tributary.processor.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;

import io.tributary.proto.v1.AlertEvent;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.proto.v1.Rollup;

/**
 * The line-protocol encoder: escaping, ordering, field types, and a golden line per mapper compared with what
 * influxdb-client-java's {@link Point} (used before) writes for the same input.
 */
class LinePointTest {

    @Test
    void shouldEscapeCommaAndSpaceInMeasurementButNotEqualsSign() {
        String line = LinePoint.measurement("my meas,x=y").integerField("f", 1).time(5).toLineProtocol();
        assertThat(line).isEqualTo("my\\ meas\\,x=y f=1i 5");
    }

    @Test
    void shouldEscapeCommaEqualsAndSpaceInTagKeysTagValuesAndFieldKeys() {
        String line = LinePoint.measurement("m")
                .tag("k ,=", "v ,=\"'")
                .floatField("f ,=", 1.5)
                .time(1)
                .toLineProtocol();
        assertThat(line).isEqualTo("m,k\\ \\,\\==v\\ \\,\\=\"' f\\ \\,\\==1.5 1");
    }

    @Test
    void shouldEscapeOnlyWhereNeededInsideLongerNamesAndKeepCleanOnesWhole() {
        String line = LinePoint.measurement("readings")
                .tag("device", "hall-7 east,wing=b")
                .tag("sensor", "temperature")
                .floatField("value", 21.5)
                .time(9)
                .toLineProtocol();
        assertThat(line).isEqualTo("readings,device=hall-7\\ east\\,wing\\=b,sensor=temperature value=21.5 9");
    }

    @Test
    void shouldQuoteStringFieldsEscapingOnlyDoubleQuoteAndBackslash() {
        String line = LinePoint.measurement("m").stringField("s", "a \"b\" c\\d, e=f").time(1).toLineProtocol();
        assertThat(line).isEqualTo("m s=\"a \\\"b\\\" c\\\\d, e=f\" 1");
    }

    @Test
    void shouldSortTagsAndFieldsByKey() {
        String line = LinePoint.measurement("m")
                .tag("zone", "z").tag("a", "1").tag("Mid", "m")
                .floatField("z", 1).integerField("b", 2).stringField("a", "x")
                .time(7)
                .toLineProtocol();
        assertThat(line).isEqualTo("m,Mid=m,a=1,zone=z a=\"x\",b=2i,z=1.0 7");
    }

    @Test
    void shouldWriteIntegersWithSuffixAndFloatsThatRoundTrip() {
        double[] values = {0.0, -0.0, 1.0, 0.1, 0.30000000000000004, 1.0e-5, 1.0e20, -4.9e-324, Double.MAX_VALUE,
            -123456.789};
        for (double v : values) {
            String line = LinePoint.measurement("m").floatField("v", v).time(1).toLineProtocol();
            String text = line.substring("m v=".length(), line.length() - " 1".length());
            assertThat(Double.parseDouble(text)).as(line).isEqualTo(v);
            assertThat(text).as(line).doesNotEndWith("i");
        }
        assertThat(LinePoint.measurement("m").integerField("n", Long.MIN_VALUE).time(1).toLineProtocol())
                .isEqualTo("m n=-9223372036854775808i 1");
    }

    @Test
    void shouldWriteTheTimestampInNanosecondsAsGiven() {
        assertThat(LinePoint.measurement("m").integerField("n", 0).time(1_700_000_000_123_456_789L).toLineProtocol())
                .endsWith(" 1700000000123456789");
    }

    @Test
    void shouldJoinPointsWithNewlinesReusingTheBuffer() {
        StringBuilder buffer = new StringBuilder("left over");
        List<LinePoint> points = List.of(LinePoint.measurement("a").integerField("n", 1).time(1),
                LinePoint.measurement("b").integerField("n", 2).time(2));
        assertThat(LinePoint.encode(points, buffer)).isEqualTo("a n=1i 1\nb n=2i 2");
        assertThat(LinePoint.encode(List.of(), buffer)).isEmpty();
    }

    @Test
    void shouldRefuseWhatCannotBeOneValidLine() {
        assertThatThrownBy(() -> LinePoint.measurement("m").floatField("v", Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> LinePoint.measurement("m").floatField("v", Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LinePoint.measurement("m").time(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no field");
        assertThatThrownBy(() -> LinePoint.measurement("m").tag("t", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> LinePoint.measurement("m").tag("t", "a\nb"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
        assertThatThrownBy(() -> LinePoint.measurement("m").tag("t", "a\\"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backslash");
        assertThatThrownBy(() -> LinePoint.measurement("m\tx"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LinePoint.measurement("m").tag("t", "1").tag("t", "2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> LinePoint.measurement("m").integerField("f", 1).stringField("f", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    @Test
    void readingLineShouldBeWhatPointWrote() {
        Reading reading = Reading.newBuilder().setSensor("temp, outside=x").setValue(-3.25)
                .setEventTimeUnixNanos(1_700_000_000_123_456_789L).build();
        byte[] batch = ReadingBatch.newBuilder().setDeviceId("plant 3,line=2").setBatchSeq(1).addReadings(reading)
                .build().toByteArray();
        MappedRecord.Points mapped = (MappedRecord.Points) new ReadingPointMapper().map(null, batch);

        String expected = Point.measurement("readings")
                .addTag("device", "plant 3,line=2").addTag("sensor", "temp, outside=x")
                .addField("value", -3.25)
                .time(1_700_000_000_123_456_789L, WritePrecision.NS)
                .toLineProtocol();
        assertThat(mapped.points()).singleElement().extracting(LinePoint::toLineProtocol).isEqualTo(expected);
    }

    @Test
    void rollupLineShouldBeWhatPointWrote() {
        Rollup rollup = Rollup.newBuilder().setDeviceId("dev 1").setSensor("cpu,temp").setWindow("1m").setCount(12)
                .setMin(-1.5).setMax(1234567.25).setMean(0.001).setLast(42)
                .setWindowStartUnixNanos(1_700_000_040_000_000_000L).build();
        MappedRecord.Points mapped = (MappedRecord.Points) new RollupPointMapper(List.of()).map(null, rollup.toByteArray());

        String expected = Point.measurement("rollups")
                .addTag("device", "dev 1").addTag("sensor", "cpu,temp").addTag("window", "1m")
                .addField("count", 12L).addField("min", -1.5).addField("max", 1234567.25)
                .addField("mean", 0.001).addField("last", 42.0)
                .time(1_700_000_040_000_000_000L, WritePrecision.NS)
                .toLineProtocol();
        assertThat(mapped.points()).singleElement().extracting(LinePoint::toLineProtocol).isEqualTo(expected);
    }

    @Test
    void alertLineShouldBeWhatPointWrote() {
        AlertEvent alert = AlertEvent.newBuilder().setDeviceId("dev=1").setRule("too hot").setSensor("t \"1\"")
                .setSeverity(AlertEvent.Severity.WARNING).setState(AlertEvent.AlertState.FIRING)
                .setValue(85.5).setThreshold(80).setMessage("path C:\\x = \"85.5\",\nabove 80")
                .setTransitionTimeUnixNanos(1_700_000_000_000_000_001L).build();
        MappedRecord.Points mapped = (MappedRecord.Points) new AlertPointMapper(List.of()).map(null, alert.toByteArray());

        String expected = Point.measurement("alerts")
                .addTag("device", "dev=1").addTag("rule", "too hot").addTag("severity", "warning")
                .addField("state", "firing").addField("value", 85.5).addField("threshold", 80.0)
                .addField("message", "path C:\\x = \"85.5\",\nabove 80").addField("sensor", "t \"1\"")
                .time(1_700_000_000_000_000_001L, WritePrecision.NS)
                .toLineProtocol();
        assertThat(mapped.points()).singleElement().extracting(LinePoint::toLineProtocol).isEqualTo(expected);
    }

    @Test
    void floatsOutsidePlainRangeDifferFromPointOnlyInNotationNotInValue() {
        // Point printed every float in plain decimals; Double.toString switches to an exponent outside [1e-3, 1e7).
        for (double v : new double[] {1.0e-5, 1.0e20, 12345678.5, 4.9e-324}) {
            String ours = LinePoint.measurement("m").floatField("v", v).time(1).toLineProtocol();
            String theirs = Point.measurement("m").addField("v", v).time(1L, WritePrecision.NS).toLineProtocol();
            assertThat(Double.parseDouble(value(ours))).isEqualTo(Double.parseDouble(value(theirs))).isEqualTo(v);
        }
    }

    private static String value(String line) {
        return line.substring("m v=".length(), line.length() - " 1".length());
    }
}
