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

    private DeadLetterReason() {
    }
}
