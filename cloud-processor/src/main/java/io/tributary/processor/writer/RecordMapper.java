package io.tributary.processor.writer;

/** Turns one Kafka record into InfluxDB points, or into a reason to dead-letter it. Pure: no I/O, no state. */
@FunctionalInterface
public interface RecordMapper {

    /**
     * @param key the record key (UTF-8 device id), may be null
     * @param value the record value, may be null
     */
    MappedRecord map(byte[] key, byte[] value);
}
