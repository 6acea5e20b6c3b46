package io.tributary.processor.writer;

/** Turns one Kafka record into InfluxDB points, or into a reason to dead-letter it. Pure: no I/O, no state. */
@FunctionalInterface
public interface RecordMapper {

    /** Key (UTF-8 device id) and value may be null. */
    MappedRecord map(byte[] key, byte[] value);
}
