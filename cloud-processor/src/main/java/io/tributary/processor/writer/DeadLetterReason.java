package io.tributary.processor.writer;

/** The {@code tributary.reason} codes this writer puts on dead-lettered records (short kebab-case, stable). */
public final class DeadLetterReason {

    /** The record value is not a {@code ReadingBatch} (or lacks its device id). */
    public static final String PAYLOAD_FORMAT_INVALID = "payload-format-invalid";
    /** The record key (device id) differs from the batch's {@code device_id}. */
    public static final String DEVICE_ID_MISMATCH = "device-id-mismatch";
    /** A device id or reading cannot be stored faithfully (empty sensor, NaN value, no event time, ...). */
    public static final String READING_INVALID = "reading-invalid";
    /** InfluxDB permanently rejected the record's points (e.g. HTTP 400 field type conflict). */
    public static final String INFLUX_REJECTED = "influx-rejected";

    /** Mapping or encoding the record threw (a value the mapper did not foresee): never a reason to stop. */
    public static final String MAPPING_FAILED = "mapping-failed";
    /** The alert webhook refused the transition for good (a 4xx other than 408/429), or it could not be built. */
    public static final String WEBHOOK_REFUSED = "webhook-refused";
    /**
     * The batch breaks the input contract; header {@code tributary.contract-rule} names the rule (e.g.
     * {@code event_time_in_future}). The gateway's code for the same refusal.
     */
    public static final String CONTRACT_VIOLATION = "contract-violation";

    /** Every code above: each writer exports all of them from the start, at 0, so dashboards see the series. */
    public static final java.util.List<String> ALL = java.util.List.of(PAYLOAD_FORMAT_INVALID, DEVICE_ID_MISMATCH,
            READING_INVALID, INFLUX_REJECTED, MAPPING_FAILED, WEBHOOK_REFUSED, CONTRACT_VIOLATION);

    private DeadLetterReason() {
    }
}
