package io.tributary.contract;

import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a telemetry batch must satisfy to enter the pipeline. The gateway refuses a batch that breaks it before Kafka;
 * the cloud processor checks it again, so a record that reached Kafka by another route cannot hurt it either.
 *
 * <p>The rules, checked in this order ({@link ContractRule} names them):
 * <ol>
 *   <li>the batch holds at least one reading and at most {@link #maxReadingsPerBatch};</li>
 *   <li>per reading, in order: a sensor name that is non-empty, made only of {@link #SENSOR_NAME_CHARACTERS} and at
 *       most {@link #maxSensorNameLength} long; a unit (may be empty) of at most {@link #maxUnitLength} UTF-8 bytes
 *       without control, format or line-separator characters (non-ASCII such as {@code °C} is fine); a finite value
 *       (no NaN, no ±Infinity; any finite double, even 1e308, is fine); an event time that is positive and within
 *       [now − {@link #maxEventAge}, now + {@link #maxEventFuture}] of the checker's clock, both ends included;</li>
 *   <li>per device, at most {@link #maxSensorsPerDevice} distinct sensor names: state, so {@link SensorCardinality}
 *       checks it.</li>
 * </ol>
 *
 * <p>Sensor names become InfluxDB tags, HTTP header values (a webhook's Idempotency-Key) and parts of log lines, hence
 * the narrow character set. The event-time window bounds how far one reading can move the processor's event-time
 * progress (the rollup watermark) and how many InfluxDB shard groups a device can touch; its default past bound is
 * long because agents keep days of readings in their outbox and replay them after an outage.
 *
 * <p>Besides {@link #check(ReadingBatch, long)}, the rules are offered one by one on primitives and raw UTF-8 bytes,
 * for callers that walk the wire format without building the batch; those return {@code null} when the input passes
 * and allocate nothing.
 *
 * @param maxEventAge how far an event time may lie before the checker's clock (default 30 days)
 * @param maxEventFuture how far an event time may lie after the checker's clock (default 5 minutes)
 * @param maxSensorNameLength longest sensor name, in characters (= bytes: they are ASCII) (default 128)
 * @param maxUnitLength longest unit, in UTF-8 bytes (default 32)
 * @param maxReadingsPerBatch most readings in one batch (default 10,000)
 * @param maxSensorsPerDevice most distinct sensor names one device may use (default 256)
 */
public record InputContract(
        Duration maxEventAge,
        Duration maxEventFuture,
        int maxSensorNameLength,
        int maxUnitLength,
        int maxReadingsPerBatch,
        int maxSensorsPerDevice) {

    /** The characters a sensor name may hold besides ASCII letters and digits. */
    public static final String SENSOR_NAME_PUNCTUATION = "._-:/";
    /** The characters a sensor name may hold, for messages and docs. */
    public static final String SENSOR_NAME_CHARACTERS = "ASCII letters, digits and " + SENSOR_NAME_PUNCTUATION;

    /** Default {@link #maxEventAge}: 30 days, longer than an agent's outbox holds readings through an outage. */
    public static final Duration DEFAULT_MAX_EVENT_AGE = Duration.ofDays(30);
    /** Default {@link #maxEventFuture}: 5 minutes of clock skew. */
    public static final Duration DEFAULT_MAX_EVENT_FUTURE = Duration.ofMinutes(5);
    /** Default {@link #maxSensorNameLength}. */
    public static final int DEFAULT_MAX_SENSOR_NAME_LENGTH = 128;
    /** Default {@link #maxUnitLength}. */
    public static final int DEFAULT_MAX_UNIT_LENGTH = 32;
    /**
     * Default {@link #maxReadingsPerBatch}: 20 times the agent's default batch (500), and about what the gateway's
     * default 256 KiB payload holds of the smallest possible readings (~24 bytes each), so no honest device meets it;
     * it bounds what a record that reached Kafka by another route (up to 1 MiB) makes the processor do.
     */
    public static final int DEFAULT_MAX_READINGS_PER_BATCH = 10_000;
    /** Default {@link #maxSensorsPerDevice}: the InfluxDB series one device may create. */
    public static final int DEFAULT_MAX_SENSORS_PER_DEVICE = 256;

    /** Upper bound of {@link #maxEventAge}: 10 years, so every bound computed from it fits an int64 of nanoseconds. */
    public static final Duration MAX_EVENT_AGE_LIMIT = Duration.ofDays(3650);
    /** Upper bound of {@link #maxEventFuture}. */
    public static final Duration MAX_EVENT_FUTURE_LIMIT = Duration.ofDays(365);
    /** Upper bound of the name and unit lengths. */
    public static final int MAX_LENGTH_LIMIT = 1024;
    /** Upper bound of {@link #maxReadingsPerBatch} and {@link #maxSensorsPerDevice}. */
    public static final int MAX_COUNT_LIMIT = 1_000_000;

    /** The contract with every default. */
    public static final InputContract DEFAULTS = new InputContract(DEFAULT_MAX_EVENT_AGE, DEFAULT_MAX_EVENT_FUTURE,
            DEFAULT_MAX_SENSOR_NAME_LENGTH, DEFAULT_MAX_UNIT_LENGTH, DEFAULT_MAX_READINGS_PER_BATCH,
            DEFAULT_MAX_SENSORS_PER_DEVICE);

    private static final long EXPONENT_MASK = 0x7ff0_0000_0000_0000L;
    /** {@link #isSensorNameCharacter} of every ASCII code, for the checks on raw bytes. */
    private static final boolean[] SENSOR_NAME_ASCII = new boolean[128];

    static {
        for (int c = 0; c < SENSOR_NAME_ASCII.length; c++) {
            SENSOR_NAME_ASCII[c] = isSensorNameCharacter(c);
        }
    }

    public InputContract {
        requireDuration(maxEventAge, "maxEventAge", Duration.ofSeconds(1), MAX_EVENT_AGE_LIMIT);
        requireDuration(maxEventFuture, "maxEventFuture", Duration.ZERO, MAX_EVENT_FUTURE_LIMIT);
        requireRange(maxSensorNameLength, "maxSensorNameLength", 1, MAX_LENGTH_LIMIT);
        requireRange(maxUnitLength, "maxUnitLength", 0, MAX_LENGTH_LIMIT);
        requireRange(maxReadingsPerBatch, "maxReadingsPerBatch", 1, MAX_COUNT_LIMIT);
        requireRange(maxSensorsPerDevice, "maxSensorsPerDevice", 1, MAX_COUNT_LIMIT);
    }

    public InputContract withMaxEventAge(Duration value) {
        return new InputContract(value, maxEventFuture, maxSensorNameLength, maxUnitLength, maxReadingsPerBatch,
                maxSensorsPerDevice);
    }

    public InputContract withMaxEventFuture(Duration value) {
        return new InputContract(maxEventAge, value, maxSensorNameLength, maxUnitLength, maxReadingsPerBatch,
                maxSensorsPerDevice);
    }

    public InputContract withMaxSensorNameLength(int value) {
        return new InputContract(maxEventAge, maxEventFuture, value, maxUnitLength, maxReadingsPerBatch,
                maxSensorsPerDevice);
    }

    public InputContract withMaxUnitLength(int value) {
        return new InputContract(maxEventAge, maxEventFuture, maxSensorNameLength, value, maxReadingsPerBatch,
                maxSensorsPerDevice);
    }

    public InputContract withMaxReadingsPerBatch(int value) {
        return new InputContract(maxEventAge, maxEventFuture, maxSensorNameLength, maxUnitLength, value,
                maxSensorsPerDevice);
    }

    public InputContract withMaxSensorsPerDevice(int value) {
        return new InputContract(maxEventAge, maxEventFuture, maxSensorNameLength, maxUnitLength, maxReadingsPerBatch,
                value);
    }

    // ---- the whole batch ----

    /**
     * Checks every stateless rule on {@code batch} (all but {@link ContractRule#TOO_MANY_SENSORS}).
     *
     * @param batch the batch; its device id is not looked at (the caller matches it with the topic or key)
     * @param nowUnixNanos the checker's clock, in Unix epoch nanoseconds
     * @return the first violation, or empty if the batch keeps the contract
     */
    public Optional<ContractViolation> check(ReadingBatch batch, long nowUnixNanos) {
        int count = batch.getReadingsCount();
        if (count == 0) {
            return Optional.of(new ContractViolation(ContractRule.NO_READINGS, -1, "batch holds no reading"));
        }
        if (count > maxReadingsPerBatch) {
            return Optional.of(new ContractViolation(ContractRule.TOO_MANY_READINGS, -1, "batch holds " + count
                    + " readings, more than the maximum of " + maxReadingsPerBatch));
        }
        long earliest = earliestEventTime(nowUnixNanos);
        long latest = latestEventTime(nowUnixNanos);
        for (int i = 0; i < count; i++) {
            Optional<ContractViolation> violation = checkReading(i, batch.getReadings(i), earliest, latest,
                    nowUnixNanos);
            if (violation.isPresent()) {
                return violation;
            }
        }
        return Optional.empty();
    }

    /**
     * Checks the stateless rules of one reading.
     *
     * @param index the reading's index in its batch, for the message
     * @param reading the reading
     * @param nowUnixNanos the checker's clock, in Unix epoch nanoseconds
     * @return the first violation, or empty if the reading keeps the contract
     */
    public Optional<ContractViolation> checkReading(int index, Reading reading, long nowUnixNanos) {
        return checkReading(index, reading, earliestEventTime(nowUnixNanos), latestEventTime(nowUnixNanos),
                nowUnixNanos);
    }

    private Optional<ContractViolation> checkReading(int index, Reading reading, long earliest, long latest,
            long now) {
        String sensor = reading.getSensor();
        ContractRule rule = checkSensorName(sensor);
        if (rule != null) {
            return violation(rule, index, sensor, sensorNameProblem(rule, sensor));
        }
        String unit = reading.getUnit();
        rule = checkUnit(unit);
        if (rule != null) {
            return violation(rule, index, sensor, unitProblem(rule, unit));
        }
        double value = reading.getValue();
        if (!isFinite(value)) {
            return violation(ContractRule.VALUE_NOT_FINITE, index, sensor, "value " + value + " is not finite");
        }
        long eventTime = reading.getEventTimeUnixNanos();
        rule = checkEventTime(eventTime, earliest, latest);
        if (rule != null) {
            return violation(rule, index, sensor, eventTimeProblem(rule, eventTime, now));
        }
        return Optional.empty();
    }

    private static Optional<ContractViolation> violation(ContractRule rule, int index, String sensor, String problem) {
        String where = sensor.isEmpty() ? "reading " + index : "reading " + index + " (sensor '"
                + Texts.quote(sensor) + "')";
        return Optional.of(new ContractViolation(rule, index, where + ": " + problem));
    }

    // ---- the rules one by one: null = passes; nothing allocated ----

    /** {@link ContractRule#TOO_MANY_READINGS} or {@link ContractRule#NO_READINGS} for a batch of {@code count}. */
    public ContractRule checkReadingCount(int count) {
        if (count < 1) {
            return ContractRule.NO_READINGS;
        }
        return count > maxReadingsPerBatch ? ContractRule.TOO_MANY_READINGS : null;
    }

    /** The rule {@code sensor} breaks, or {@code null}. */
    public ContractRule checkSensorName(CharSequence sensor) {
        int length = sensor.length();
        if (length == 0) {
            return ContractRule.SENSOR_NAME_EMPTY;
        }
        for (int i = 0; i < length; i++) {
            if (!isSensorNameCharacter(sensor.charAt(i))) {
                return ContractRule.SENSOR_NAME_INVALID;
            }
        }
        return length > maxSensorNameLength ? ContractRule.SENSOR_NAME_TOO_LONG : null;
    }

    /**
     * The rule the sensor name in {@code utf8[offset, offset + length)} breaks, or {@code null}; agrees with
     * {@link #checkSensorName(CharSequence)} on the decoded name.
     */
    public ContractRule checkSensorName(byte[] utf8, int offset, int length) {
        if (length == 0) {
            return ContractRule.SENSOR_NAME_EMPTY;
        }
        for (int i = offset; i < offset + length; i++) {
            // a byte >= 0x80 is negative: part of a non-ASCII character, which is never allowed
            byte b = utf8[i];
            if (b < 0 || !SENSOR_NAME_ASCII[b]) {
                return ContractRule.SENSOR_NAME_INVALID;
            }
        }
        return length > maxSensorNameLength ? ContractRule.SENSOR_NAME_TOO_LONG : null;
    }

    /** The rule {@code unit} breaks, or {@code null}. */
    public ContractRule checkUnit(String unit) {
        int length = unit.length();
        int utf8Length = 0;
        boolean invalid = false;
        for (int i = 0; i < length; i++) {
            char c = unit.charAt(i);
            if (c < 0x80) {
                utf8Length += 1;
                invalid |= !isAllowedUnitCodePoint(c);
            } else if (c < 0x800) {
                utf8Length += 2;
                invalid |= !isAllowedUnitCodePoint(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(unit.charAt(i + 1))) {
                utf8Length += 4;
                invalid |= !isAllowedUnitCodePoint(Character.toCodePoint(c, unit.charAt(i + 1)));
                i++;
            } else {
                utf8Length += 3;
                invalid |= Character.isSurrogate(c) || !isAllowedUnitCodePoint(c);
            }
        }
        if (utf8Length > maxUnitLength) {
            return ContractRule.UNIT_TOO_LONG;
        }
        return invalid ? ContractRule.UNIT_INVALID : null;
    }

    /**
     * The rule the unit in {@code utf8[offset, offset + length)} breaks, or {@code null}; agrees with
     * {@link #checkUnit(String)} on the decoded unit. Malformed UTF-8 counts as {@link ContractRule#UNIT_INVALID}
     * (proto3 refuses it anyway).
     */
    public ContractRule checkUnit(byte[] utf8, int offset, int length) {
        if (length > maxUnitLength) {
            return ContractRule.UNIT_TOO_LONG;
        }
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int b = utf8[i] & 0xff;
            if (b < 0x80) { // the usual unit: ASCII
                if (b < 0x20 || b == 0x7f) {
                    return ContractRule.UNIT_INVALID;
                }
                i++;
                continue;
            }
            int codePoint;
            int size;
            if (b < 0x80) {
                codePoint = b;
                size = 1;
            } else if (b >= 0xc2 && b < 0xe0) {
                codePoint = b & 0x1f;
                size = 2;
            } else if (b >= 0xe0 && b < 0xf0) {
                codePoint = b & 0x0f;
                size = 3;
            } else if (b >= 0xf0 && b < 0xf5) {
                codePoint = b & 0x07;
                size = 4;
            } else {
                return ContractRule.UNIT_INVALID;
            }
            if (size > end - i) {
                return ContractRule.UNIT_INVALID;
            }
            for (int k = 1; k < size; k++) {
                int continuation = utf8[i + k] & 0xff;
                if ((continuation & 0xc0) != 0x80) {
                    return ContractRule.UNIT_INVALID;
                }
                codePoint = codePoint << 6 | continuation & 0x3f;
            }
            boolean overlong = size == 3 && codePoint < 0x800 || size == 4 && codePoint < 0x10000;
            if (overlong || codePoint > Character.MAX_CODE_POINT
                    || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)
                    || !isAllowedUnitCodePoint(codePoint)) {
                return ContractRule.UNIT_INVALID;
            }
            i += size;
        }
        return null;
    }

    /**
     * The rule an event time breaks against the bounds {@link #earliestEventTime} and {@link #latestEventTime} of the
     * checker's clock (take the clock once per batch), or {@code null}.
     */
    public ContractRule checkEventTime(long eventTimeUnixNanos, long earliestUnixNanos, long latestUnixNanos) {
        if (eventTimeUnixNanos <= 0) {
            return ContractRule.EVENT_TIME_MISSING;
        }
        if (eventTimeUnixNanos < earliestUnixNanos) {
            return ContractRule.EVENT_TIME_TOO_OLD;
        }
        return eventTimeUnixNanos > latestUnixNanos ? ContractRule.EVENT_TIME_IN_FUTURE : null;
    }

    /** The earliest event time accepted when the checker's clock reads {@code nowUnixNanos} (saturating). */
    public long earliestEventTime(long nowUnixNanos) {
        long age = maxEventAge.toNanos();
        return nowUnixNanos < Long.MIN_VALUE + age ? Long.MIN_VALUE : nowUnixNanos - age;
    }

    /** The latest event time accepted when the checker's clock reads {@code nowUnixNanos} (saturating). */
    public long latestEventTime(long nowUnixNanos) {
        long future = maxEventFuture.toNanos();
        return nowUnixNanos > Long.MAX_VALUE - future ? Long.MAX_VALUE : nowUnixNanos + future;
    }

    /** Whether {@code value} is finite (not NaN, not ±Infinity). */
    public static boolean isFinite(double value) {
        return Double.isFinite(value);
    }

    /**
     * Whether the IEEE 754 bits of a double (as a protobuf fixed64 carries them, little-endian decoded) are finite:
     * NaN and the infinities are exactly the patterns with every exponent bit set.
     */
    public static boolean isFiniteBits(long doubleBits) {
        return (doubleBits & EXPONENT_MASK) != EXPONENT_MASK;
    }

    /** Whether {@code c} may appear in a sensor name: ASCII letters, digits and {@link #SENSOR_NAME_PUNCTUATION}. */
    public static boolean isSensorNameCharacter(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-' || c == ':' || c == '/';
    }

    /** Whether a unit may hold {@code codePoint}: not a control, format, line or paragraph separator character. */
    private static boolean isAllowedUnitCodePoint(int codePoint) {
        if (codePoint < 0x80) {
            return codePoint >= 0x20 && codePoint != 0x7f;
        }
        int type = Character.getType(codePoint);
        return type != Character.CONTROL && type != Character.FORMAT && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR && type != Character.SURROGATE;
    }

    // ---- words ----

    private String sensorNameProblem(ContractRule rule, String sensor) {
        switch (rule) {
            case SENSOR_NAME_EMPTY:
                return "sensor name is empty";
            case SENSOR_NAME_TOO_LONG:
                return "sensor name of " + sensor.length() + " characters exceeds the maximum of "
                        + maxSensorNameLength;
            default:
                int bad = 0;
                while (bad < sensor.length() && isSensorNameCharacter(sensor.charAt(bad))) {
                    bad++;
                }
                return "sensor name holds " + describeCharacter(sensor.codePointAt(bad)) + " at " + bad
                        + "; allowed are " + SENSOR_NAME_CHARACTERS;
        }
    }

    private String unitProblem(ContractRule rule, String unit) {
        if (rule == ContractRule.UNIT_TOO_LONG) {
            return "unit '" + Texts.quote(unit) + "' exceeds the maximum of " + maxUnitLength + " UTF-8 bytes";
        }
        int bad = 0;
        while (bad < unit.length()) {
            int codePoint = unit.codePointAt(bad);
            if (Character.isSurrogate(unit.charAt(bad)) && Character.charCount(codePoint) == 1
                    || !isAllowedUnitCodePoint(codePoint)) {
                break;
            }
            bad += Character.charCount(codePoint);
        }
        int shown = bad < unit.length() ? unit.codePointAt(bad) : 0;
        return "unit '" + Texts.quote(unit) + "' holds " + describeCharacter(shown)
                + " (no control, format or line-separator characters)";
    }

    private String eventTimeProblem(ContractRule rule, long eventTime, long now) {
        switch (rule) {
            case EVENT_TIME_MISSING:
                return eventTime == 0 ? "event time is missing (0)"
                        : "event time " + eventTime + " ns is negative";
            case EVENT_TIME_TOO_OLD:
                return "event time " + instant(eventTime) + " is more than " + words(maxEventAge)
                        + " behind the receiving clock (now " + instant(now) + ")";
            default:
                return "event time " + instant(eventTime) + " is more than " + words(maxEventFuture)
                        + " ahead of the receiving clock (now " + instant(now) + ")";
        }
    }

    private static String describeCharacter(int codePoint) {
        String hex = Integer.toHexString(codePoint).toUpperCase(java.util.Locale.ROOT);
        String code = "U+" + "0000".substring(Math.min(4, hex.length())) + hex;
        if (codePoint >= 0x21 && codePoint < 0x7f && codePoint != '\'' && codePoint != '\\') {
            return "'" + (char) codePoint + "' (" + code + ")";
        }
        return code;
    }

    private static String instant(long unixNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(unixNanos, 1_000_000_000L), Math.floorMod(unixNanos, 1_000_000_000L))
                .toString();
    }

    /** A duration in its largest whole unit: {@code 30d}, {@code 5m}, {@code 90s}, {@code 1500ms}. */
    static String words(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 86_400_000L == 0) {
            return millis / 86_400_000L + "d";
        }
        if (millis != 0 && millis % 3_600_000L == 0) {
            return millis / 3_600_000L + "h";
        }
        if (millis != 0 && millis % 60_000L == 0) {
            return millis / 60_000L + "m";
        }
        if (millis % 1000L == 0) {
            return millis / 1000L + "s";
        }
        return millis + "ms";
    }

    private static void requireDuration(Duration value, String name, Duration min, Duration max) {
        Objects.requireNonNull(value, () -> name + " must not be null");
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be " + words(min) + ".." + words(max) + ", got "
                    + value);
        }
    }

    private static void requireRange(int value, String name, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + value);
        }
    }
}
