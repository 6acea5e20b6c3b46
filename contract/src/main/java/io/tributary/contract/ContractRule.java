package io.tributary.contract;

import java.util.Locale;

/**
 * The rules of the {@link InputContract}. Each has a stable {@link #label()} (snake_case) that metrics use as a label
 * value and dead-letter records carry as their reason: never rename a constant, only add.
 */
public enum ContractRule {
    /** The batch holds no reading. */
    NO_READINGS,
    /** The batch holds more than {@link InputContract#maxReadingsPerBatch()} readings. */
    TOO_MANY_READINGS,
    /** A reading has no sensor name. */
    SENSOR_NAME_EMPTY,
    /** A sensor name is longer than {@link InputContract#maxSensorNameLength()}. */
    SENSOR_NAME_TOO_LONG,
    /** A sensor name holds a character outside {@link InputContract#SENSOR_NAME_CHARACTERS}. */
    SENSOR_NAME_INVALID,
    /** A unit is longer than {@link InputContract#maxUnitLength()} UTF-8 bytes. */
    UNIT_TOO_LONG,
    /** A unit holds a control, format or line-separator character (or an unpaired surrogate). */
    UNIT_INVALID,
    /** A value is NaN or infinite. */
    VALUE_NOT_FINITE,
    /** A reading has no event time (0) or a negative one. */
    EVENT_TIME_MISSING,
    /** An event time is more than {@link InputContract#maxEventAge()} before the checker's clock. */
    EVENT_TIME_TOO_OLD,
    /** An event time is more than {@link InputContract#maxEventFuture()} after the checker's clock. */
    EVENT_TIME_IN_FUTURE,
    /**
     * The batch would take its device beyond {@link InputContract#maxSensorsPerDevice()} distinct sensor names
     * (checked by {@link SensorCardinality}, which holds the state, not by {@link InputContract#check}).
     */
    TOO_MANY_SENSORS;

    private final String label = name().toLowerCase(Locale.ROOT);

    /**
     * The stable snake_case name, e.g. {@code event_time_in_future}: a metric label and dead-letter reason (the name in
     * lower case).
     */
    public String label() {
        return label;
    }
}
