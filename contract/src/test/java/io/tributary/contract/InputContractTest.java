package io.tributary.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.common.Durations;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.testing.batch.TestBatches;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InputContractTest {

    private static final InputContract CONTRACT = InputContract.DEFAULTS;
    private static final long NOW = Instant.parse("2026-12-06T22:50:00Z").getEpochSecond() * 1_000_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private static Reading.Builder reading(String sensor) {
        return Reading.newBuilder().setSensor(sensor).setUnit("degC").setValue(21.5).setEventTimeUnixNanos(NOW);
    }

    private static ReadingBatch batch(Reading.Builder... readings) {
        return TestBatches.batch("dev-1").seq(7).add(readings).build();
    }

    private static ContractViolation violation(ReadingBatch batch) {
        Optional<ContractViolation> result = CONTRACT.check(batch, NOW);
        assertThat(result).as("a violation").isPresent();
        ContractViolation violation = result.get();
        assertThat(violation.detail()).hasSizeLessThanOrEqualTo(ContractViolation.MAX_DETAIL_LENGTH)
                .matches("[\\x20-\\x7e]*");
        return violation;
    }

    @Test
    void acceptsAnOrdinaryBatch() {
        assertThat(CONTRACT.check(batch(reading("temperature"), reading("humidity").setUnit("%"),
                reading("motor_temp").setUnit("°C"), reading("net-rx-bytes").setUnit("")), NOW)).isEmpty();
    }

    @Test
    void acceptsEverySensorNameTheRepositoryUses() {
        String[] names = {"temperature", "humidity", "pressure", "vibration", "current", "motor_temp",
            "battery_voltage", "co2", "voltage", "temperature_2", "cpu_temp", "temp", "t", "s", "probe", "sensor",
            "load1", "load15", "net-rx-bytes", "net-tx-bytes", "memory", "disk", "cpu", "ds18b20", "hwmon", "thermal",
            "iio", "command", "rack/7:inlet.temp"};
        for (String name : names) {
            assertThat(CONTRACT.checkSensorName(name)).as(name).isNull();
        }
        for (String unit : new String[] {"degC", "%", "hPa", "mm/s", "A", "V", "ppm", "°C", "m/s²", "µg/m³", ""}) {
            assertThat(CONTRACT.checkUnit(unit)).as(unit).isNull();
        }
    }

    @Test
    void acceptsHugeFiniteValues() {
        assertThat(CONTRACT.check(batch(reading("a").setValue(1e308), reading("b").setValue(-Double.MAX_VALUE),
                reading("c").setValue(Double.MIN_VALUE), reading("d").setValue(-0.0)), NOW)).isEmpty();
    }

    @Test
    void refusesNanAndInfinitiesNamingTheReading() {
        ContractViolation nan = violation(batch(reading("a"), reading("b"), reading("temp").setValue(Double.NaN)));
        assertThat(nan.rule()).isEqualTo(ContractRule.VALUE_NOT_FINITE);
        assertThat(nan.readingIndex()).isEqualTo(2);
        assertThat(nan.detail()).isEqualTo("reading 2 (sensor 'temp'): value NaN is not finite");

        assertThat(violation(batch(reading("a").setValue(Double.POSITIVE_INFINITY))).rule())
                .isEqualTo(ContractRule.VALUE_NOT_FINITE);
        assertThat(violation(batch(reading("a").setValue(Double.NEGATIVE_INFINITY))).detail())
                .contains("-Infinity");
    }

    @Test
    void finitenessOfRawBitsAgreesWithTheDouble() {
        double[] values = {0, -0.0, 1, 1e308, -1e308, Double.MAX_VALUE, Double.MIN_VALUE, Double.MIN_NORMAL,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.longBitsToDouble(0x7ff0000000000001L),
            Double.longBitsToDouble(0xfff8000000000000L), Double.longBitsToDouble(0x7fefffffffffffffL)};
        for (double value : values) {
            assertThat(InputContract.isFiniteBits(Double.doubleToRawLongBits(value))).as("%s", value)
                    .isEqualTo(Double.isFinite(value));
        }
    }

    @Test
    void refusesAnEventTimeInTheYear2200() {
        long year2200 = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond() * SECOND;

        ContractViolation violation = violation(batch(reading("a"), reading("b"), reading("c"),
                reading("temp").setEventTimeUnixNanos(year2200)));

        assertThat(violation.rule()).isEqualTo(ContractRule.EVENT_TIME_IN_FUTURE);
        assertThat(violation.readingIndex()).isEqualTo(3);
        assertThat(violation.detail()).isEqualTo("reading 3 (sensor 'temp'): event time 2200-01-01T00:00:00Z is"
                + " more than 5m ahead of the receiving clock (now 2026-12-06T22:50:00Z)");
    }

    @Test
    void holdsTheEventTimeWindowWithBothEndsIncluded() {
        long earliest = NOW - Duration.ofDays(30).toNanos();
        long latest = NOW + Duration.ofMinutes(5).toNanos();

        assertThat(CONTRACT.check(batch(reading("a").setEventTimeUnixNanos(earliest),
                reading("b").setEventTimeUnixNanos(latest)), NOW)).isEmpty();
        assertThat(violation(batch(reading("a").setEventTimeUnixNanos(earliest - 1))).rule())
                .isEqualTo(ContractRule.EVENT_TIME_TOO_OLD);
        assertThat(violation(batch(reading("a").setEventTimeUnixNanos(earliest - 1))).detail())
                .contains("more than 30d behind the receiving clock");
        assertThat(violation(batch(reading("a").setEventTimeUnixNanos(latest + 1))).rule())
                .isEqualTo(ContractRule.EVENT_TIME_IN_FUTURE);
        // the demo's clock-skew anomaly: two hours behind
        assertThat(CONTRACT.check(batch(reading("a").setEventTimeUnixNanos(NOW - Duration.ofHours(2).toNanos())),
                NOW)).isEmpty();
    }

    @Test
    void refusesMissingNegativeAndExtremeEventTimes() {
        assertThat(violation(batch(reading("a").setEventTimeUnixNanos(0))).detail())
                .isEqualTo("reading 0 (sensor 'a'): event time is missing (0)");
        assertThat(violation(batch(reading("a").setEventTimeUnixNanos(-5))).rule())
                .isEqualTo(ContractRule.EVENT_TIME_MISSING);
        assertThat(violation(batch(reading("a").setEventTimeUnixNanos(Long.MIN_VALUE))).rule())
                .isEqualTo(ContractRule.EVENT_TIME_MISSING);
        assertThat(violation(batch(reading("a").setEventTimeUnixNanos(Long.MAX_VALUE))).detail())
                .contains("2262-04-11T23:47:16.854775807Z").contains("ahead");
        assertThat(violation(batch(reading("a").setEventTimeUnixNanos(1))).rule())
                .isEqualTo(ContractRule.EVENT_TIME_TOO_OLD);
    }

    @Test
    void saturatesTheWindowAtTheEndsOfTheClock() {
        assertThat(CONTRACT.latestEventTime(Long.MAX_VALUE - 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(CONTRACT.earliestEventTime(Long.MIN_VALUE + 1)).isEqualTo(Long.MIN_VALUE);
        assertThat(CONTRACT.checkEventTime(Long.MAX_VALUE, CONTRACT.earliestEventTime(Long.MAX_VALUE),
                CONTRACT.latestEventTime(Long.MAX_VALUE))).isNull();
        long fiveMinutes = Duration.ofMinutes(5).toNanos();
        assertThat(CONTRACT.checkEventTime(fiveMinutes, CONTRACT.earliestEventTime(0), CONTRACT.latestEventTime(0)))
                .isNull();
        assertThat(CONTRACT.checkEventTime(fiveMinutes + 1, CONTRACT.earliestEventTime(0),
                CONTRACT.latestEventTime(0))).isEqualTo(ContractRule.EVENT_TIME_IN_FUTURE);
    }

    @Test
    void refusesBadSensorNames() {
        assertThat(violation(batch(reading("a"), reading(""))).detail())
                .isEqualTo("reading 1: sensor name is empty");
        ContractViolation space = violation(batch(reading("cpu temp")));
        assertThat(space.rule()).isEqualTo(ContractRule.SENSOR_NAME_INVALID);
        assertThat(space.detail()).isEqualTo("reading 0 (sensor 'cpu temp'): sensor name holds U+0020 at 3;"
                + " allowed are ASCII letters, digits and ._-:/");
        for (String hostile : new String[] {"cpu,temp", "temp, outside=x", "t \"", "a=b", "température", "温度",
            "a\nb", "a\u0000", "x\u202eevil", "a'b", "a\\b", "\uD83D\uDE00", "\uD800"}) {
            assertThat(CONTRACT.checkSensorName(hostile)).as(hostile).isEqualTo(ContractRule.SENSOR_NAME_INVALID);
            assertThat(violation(batch(reading(hostile))).rule()).isEqualTo(ContractRule.SENSOR_NAME_INVALID);
        }
        assertThat(violation(batch(reading("a\nb"))).detail()).startsWith("reading 0 (sensor 'a\\u000ab'):")
                .contains("U+000A");
        assertThat(violation(batch(reading("a'b"))).detail()).startsWith("reading 0 (sensor 'a\\'b'):");
    }

    @Test
    void boundsTheSensorNameLengthAndAbbreviatesHugeNames() {
        assertThat(CONTRACT.checkSensorName("s".repeat(128))).isNull();
        String huge = "s".repeat(100_000);

        ContractViolation violation = violation(batch(reading(huge)));

        assertThat(violation.rule()).isEqualTo(ContractRule.SENSOR_NAME_TOO_LONG);
        assertThat(violation.detail()).contains("...(100000 chars)").contains("100000 characters exceeds the maximum"
                + " of 128");
        String hugeAndHostile = "\u0007".repeat(100_000);
        assertThat(violation(batch(reading(hugeAndHostile))).detail()).contains("\\u0007").contains("100000 chars");
    }

    @Test
    void refusesBadUnits() {
        assertThat(CONTRACT.checkUnit("u".repeat(32))).isNull();
        assertThat(violation(batch(reading("a").setUnit("u".repeat(33)))).rule())
                .isEqualTo(ContractRule.UNIT_TOO_LONG);
        // 11 × "°C" = 33 bytes, 22 characters: the limit is in bytes
        assertThat(CONTRACT.checkUnit("°C".repeat(11))).isEqualTo(ContractRule.UNIT_TOO_LONG);
        for (String hostile : new String[] {"deg\nC", "\u0000", "\u007f", "\u0085", "a\u202eb", "a\u2028",
            "\uD800", "x\uDC00"}) {
            assertThat(CONTRACT.checkUnit(hostile)).as("%s", hostile).isEqualTo(ContractRule.UNIT_INVALID);
        }
        ContractViolation bell = violation(batch(reading("temp").setUnit("de\u0007g")));
        assertThat(bell.rule()).isEqualTo(ContractRule.UNIT_INVALID);
        assertThat(bell.detail()).isEqualTo("reading 0 (sensor 'temp'): unit 'de\\u0007g' holds U+0007 (no"
                + " control, format or line-separator characters)");
        assertThat(CONTRACT.checkUnit("\uD83C\uDF21")).as("a thermometer emoji: a printable code point").isNull();
    }

    @Test
    void checksRawBytesAsItChecksStrings() {
        String[] names = {"temp", "", "cpu temp", "température", "a\u0000", "s".repeat(128), "s".repeat(129),
            "é".repeat(100), "rack/7:inlet.temp", "\uD83D\uDE00"};
        for (String name : names) {
            byte[] bytes = ("xx" + name + "yy").getBytes(StandardCharsets.UTF_8);
            int length = name.getBytes(StandardCharsets.UTF_8).length;
            assertThat(CONTRACT.checkSensorName(bytes, 2, length)).as(name).isEqualTo(CONTRACT.checkSensorName(name));
        }
        String[] units = {"", "degC", "°C", "m/s²", "u".repeat(32), "u".repeat(33), "°C".repeat(11), "deg\nC",
            "\u0085", "a\u202eb", "a\u2028", "\uD83C\uDF21", "µg/m³", "\u00ad"};
        for (String unit : units) {
            byte[] bytes = ("xx" + unit + "yy").getBytes(StandardCharsets.UTF_8);
            int length = unit.getBytes(StandardCharsets.UTF_8).length;
            assertThat(CONTRACT.checkUnit(bytes, 2, length)).as(unit).isEqualTo(CONTRACT.checkUnit(unit));
        }
    }

    @Test
    void treatsMalformedUtf8UnitsAsInvalid() {
        byte[][] malformed = {{(byte) 0xc3}, {(byte) 0xc3, 0x28}, {(byte) 0xc0, (byte) 0x80},
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            {(byte) 0xe0, (byte) 0x80, (byte) 0x80}, {(byte) 0xff}};
        for (byte[] bytes : malformed) {
            assertThat(CONTRACT.checkUnit(bytes, 0, bytes.length)).isEqualTo(ContractRule.UNIT_INVALID);
        }
    }

    @Test
    void boundsTheReadingsPerBatch() {
        InputContract small = CONTRACT.withMaxReadingsPerBatch(3);
        assertThat(small.check(batch(reading("a"), reading("a"), reading("a")), NOW)).isEmpty();

        Optional<ContractViolation> four = small.check(batch(reading("a"), reading("a"), reading("a"), reading("a")),
                NOW);

        assertThat(four).get().extracting(ContractViolation::rule).isEqualTo(ContractRule.TOO_MANY_READINGS);
        assertThat(four.get().readingIndex()).isEqualTo(-1);
        assertThat(four.get().detail()).isEqualTo("batch holds 4 readings, more than the maximum of 3");
        assertThat(violation(ReadingBatch.newBuilder().setDeviceId("d").build()).rule())
                .isEqualTo(ContractRule.NO_READINGS);
        assertThat(small.checkReadingCount(0)).isEqualTo(ContractRule.NO_READINGS);
        assertThat(small.checkReadingCount(3)).isNull();
        assertThat(small.checkReadingCount(4)).isEqualTo(ContractRule.TOO_MANY_READINGS);
    }

    @Test
    void reportsTheFirstViolationInReadingOrder() {
        ContractViolation violation = violation(batch(reading("ok"), reading("bad name").setValue(Double.NaN),
                reading("x").setEventTimeUnixNanos(0)));

        assertThat(violation.readingIndex()).isEqualTo(1);
        assertThat(violation.rule()).isEqualTo(ContractRule.SENSOR_NAME_INVALID);
    }

    @Test
    void checksOneReading() {
        assertThat(CONTRACT.checkReading(4, reading("a").setValue(Double.NaN).build(), NOW)).get()
                .extracting(ContractViolation::readingIndex).isEqualTo(4);
        assertThat(CONTRACT.checkReading(0, reading("a").build(), NOW)).isEmpty();
    }

    @Test
    void validatesItsLimitsNamingTheKey() {
        assertThatThrownBy(() -> CONTRACT.withMaxEventAge(Duration.ZERO)).hasMessageContaining("maxEventAge");
        assertThatThrownBy(() -> CONTRACT.withMaxEventAge(Duration.ofDays(3651))).hasMessageContaining("maxEventAge");
        assertThatThrownBy(() -> CONTRACT.withMaxEventAge(null)).hasMessageContaining("maxEventAge");
        assertThatThrownBy(() -> new InputContract(Duration.ofDays(1), Duration.ofSeconds(-1), 1, 1, 1, 1))
                .hasMessageContaining("maxEventFuture");
        assertThatThrownBy(() -> new InputContract(Duration.ofDays(1), Duration.ZERO, 0, 1, 1, 1))
                .hasMessageContaining("maxSensorNameLength");
        assertThatThrownBy(() -> new InputContract(Duration.ofDays(1), Duration.ZERO, 1, -1, 1, 1))
                .hasMessageContaining("maxUnitLength");
        assertThatThrownBy(() -> CONTRACT.withMaxReadingsPerBatch(0)).hasMessageContaining("maxReadingsPerBatch");
        assertThatThrownBy(() -> CONTRACT.withMaxSensorsPerDevice(1_000_001))
                .hasMessageContaining("maxSensorsPerDevice");
        assertThat(new InputContract(Duration.ofDays(1), Duration.ZERO, 1, 1, 1, 1).maxEventFuture()).isZero();
        assertThat(new InputContract(Duration.ofDays(1), Duration.ZERO, 1, 0, 1, 1).checkUnit("")).isNull();
    }

    @Test
    void hasTheDocumentedDefaults() {
        assertThat(InputContract.DEFAULTS).isEqualTo(new InputContract(Duration.ofDays(30), Duration.ofMinutes(5),
                128, 32, 10_000, 256));
    }

    @Test
    void wordsDurationsInTheirLargestWholeUnit() {
        assertThat(Durations.format(Duration.ofDays(30))).isEqualTo("30d");
        assertThat(Durations.format(Duration.ofHours(36))).isEqualTo("36h");
        assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }
}
