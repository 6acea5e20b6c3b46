package io.tributary.contract;

import io.tributary.common.Durations;
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

    /** The characters a sensor name may hold, for messages and docs. */
    public static final String SENSOR_NAME_CHARACTERS = "ASCII letters, digits and ._-:/";

    /** Default {@link #maxEventAge}: 30 days, longer than an agent's outbox holds readings through an outage. */
    public static final Duration DEFAULT_MAX_EVENT_AGE = Duration.ofDays(30);
    /** Default {@link #maxEventFuture}: 5 minutes of clock skew. */
    public static final Duration DEFAULT_MAX_EVENT_FUTURE = Duration.ofMinutes(5);
    /** Default {@link #maxSensorsPerDevice}: the InfluxDB series one device may create. */
    public static final int DEFAULT_MAX_SENSORS_PER_DEVICE = 256;

    /** Upper bound of {@link #maxEventAge}: 10 years, so every bound computed from it fits an int64 of nanoseconds. */
    public static final Duration MAX_EVENT_AGE_LIMIT = Duration.ofDays(3650);
    private static final Duration MAX_EVENT_FUTURE_LIMIT = Duration.ofDays(365);
    private static final int MAX_LENGTH_LIMIT = 1024;
    private static final int MAX_COUNT_LIMIT = 1_000_000;

    /**
     * The contract with every default. 10,000 readings per batch is 20 times the agent's default batch (500), and
     * about what the gateway's default 256 KiB payload holds of the smallest possible readings (~24 bytes each), so no
     * honest device meets it; it bounds what a record that reached Kafka by another route (up to 1 MiB) makes the
     * processor do.
     */
    public static final InputContract DEFAULTS = new InputContract(DEFAULT_MAX_EVENT_AGE, DEFAULT_MAX_EVENT_FUTURE,
            128, 32, 10_000, DEFAULT_MAX_SENSORS_PER_DEVICE);

    private static final long EXPONENT_MASK = 0x7ff0_0000_0000_0000L;

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

    public InputContract withMaxReadingsPerBatch(int value) {
        return new InputContract(maxEventAge, maxEventFuture, maxSensorNameLength, maxUnitLength, value,
                maxSensorsPerDevice);
    }

    public InputContract withMaxSensorsPerDevice(int value) {
        return new InputContract(maxEventAge, maxEventFuture, maxSensorNameLength, maxUnitLength, maxReadingsPerBatch,
                value);
    }

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
            return violation(rule, index, sensor, SensorNames.problem(rule, sensor, maxSensorNameLength));
        }
        String unit = reading.getUnit();
        rule = checkUnit(unit);
        if (rule != null) {
            return violation(rule, index, sensor, Units.problem(rule, unit, maxUnitLength));
        }
        double value = reading.getValue();
        if (!Double.isFinite(value)) {
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

    /** {@link ContractRule#TOO_MANY_READINGS} or {@link ContractRule#NO_READINGS} for a batch of {@code count}. */
    public ContractRule checkReadingCount(int count) {
        if (count < 1) {
            return ContractRule.NO_READINGS;
        }
        return count > maxReadingsPerBatch ? ContractRule.TOO_MANY_READINGS : null;
    }

    /** The rule {@code sensor} breaks, or {@code null}. */
    public ContractRule checkSensorName(CharSequence sensor) {
        return SensorNames.check(sensor, maxSensorNameLength);
    }

    /**
     * The rule the sensor name in {@code utf8[offset, offset + length)} breaks, or {@code null}; agrees with
     * {@link #checkSensorName(CharSequence)} on the decoded name.
     */
    public ContractRule checkSensorName(byte[] utf8, int offset, int length) {
        return SensorNames.check(utf8, offset, length, maxSensorNameLength);
    }

    /** The rule {@code unit} breaks, or {@code null}. */
    public ContractRule checkUnit(String unit) {
        return Units.check(unit, maxUnitLength);
    }

    /**
     * The rule the unit in {@code utf8[offset, offset + length)} breaks, or {@code null}; agrees with
     * {@link #checkUnit(String)} on the decoded unit. Malformed UTF-8 counts as {@link ContractRule#UNIT_INVALID}
     * (proto3 refuses it anyway).
     */
    public ContractRule checkUnit(byte[] utf8, int offset, int length) {
        return Units.check(utf8, offset, length, maxUnitLength);
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

    /**
     * Whether the IEEE 754 bits of a double (as a protobuf fixed64 carries them, little-endian decoded) are finite:
     * NaN and the infinities are exactly the patterns with every exponent bit set.
     */
    public static boolean isFiniteBits(long doubleBits) {
        return (doubleBits & EXPONENT_MASK) != EXPONENT_MASK;
    }

    private String eventTimeProblem(ContractRule rule, long eventTime, long now) {
        return switch (rule) {
            case EVENT_TIME_MISSING -> eventTime == 0 ? "event time is missing (0)"
                    : "event time " + eventTime + " ns is negative";
            case EVENT_TIME_TOO_OLD -> "event time " + instant(eventTime) + " is more than "
                    + Durations.format(maxEventAge) + " behind the receiving clock (now " + instant(now) + ")";
            default -> "event time " + instant(eventTime) + " is more than " + Durations.format(maxEventFuture)
                    + " ahead of the receiving clock (now " + instant(now) + ")";
        };
    }

    private static String instant(long unixNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(unixNanos, 1_000_000_000L), Math.floorMod(unixNanos, 1_000_000_000L))
                .toString();
    }

    private static void requireDuration(Duration value, String name, Duration min, Duration max) {
        Objects.requireNonNull(value, () -> name + " must not be null");
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be " + Durations.format(min) + ".."
                    + Durations.format(max) + ", got " + value);
        }
    }

    private static void requireRange(int value, String name, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + value);
        }
    }
}
