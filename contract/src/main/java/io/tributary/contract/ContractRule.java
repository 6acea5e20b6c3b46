package io.tributary.contract;

/**
 * The rules of the {@link InputContract}. Each has a stable {@link #label()} (snake_case) that metrics use as a label
 * value and dead-letter records carry as their reason: never rename one, only add.
 */
public enum ContractRule {
    /** The batch holds no reading. */
    NO_READINGS("no_readings"),
    /** The batch holds more than {@link InputContract#maxReadingsPerBatch()} readings. */
    TOO_MANY_READINGS("too_many_readings"),
    /** A reading has no sensor name. */
    SENSOR_NAME_EMPTY("sensor_name_empty"),
    /** A sensor name is longer than {@link InputContract#maxSensorNameLength()}. */
    SENSOR_NAME_TOO_LONG("sensor_name_too_long"),
    /** A sensor name holds a character outside {@link InputContract#SENSOR_NAME_CHARACTERS}. */
    SENSOR_NAME_INVALID("sensor_name_invalid"),
    /** A unit is longer than {@link InputContract#maxUnitLength()} UTF-8 bytes. */
    UNIT_TOO_LONG("unit_too_long"),
    /** A unit holds a control, format or line-separator character (or an unpaired surrogate). */
    UNIT_INVALID("unit_invalid"),
    /** A value is NaN or infinite. */
    VALUE_NOT_FINITE("value_not_finite"),
    /** A reading has no event time (0) or a negative one. */
    EVENT_TIME_MISSING("event_time_missing"),
    /** An event time is more than {@link InputContract#maxEventAge()} before the checker's clock. */
    EVENT_TIME_TOO_OLD("event_time_too_old"),
    /** An event time is more than {@link InputContract#maxEventFuture()} after the checker's clock. */
    EVENT_TIME_IN_FUTURE("event_time_in_future"),
    /**
     * The batch would take its device beyond {@link InputContract#maxSensorsPerDevice()} distinct sensor names
     * (checked by {@link SensorCardinality}, which holds the state, not by {@link InputContract#check}).
     */
    TOO_MANY_SENSORS("too_many_sensors");

    private final String label;

    ContractRule(String label) {
        this.label = label;
    }

    /** The stable snake_case name, e.g. {@code event_time_in_future}: a metric label and dead-letter reason. */
    public String label() {
        return label;
    }
}
