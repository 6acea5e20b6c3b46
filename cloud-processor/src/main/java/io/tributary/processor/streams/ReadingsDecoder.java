package io.tributary.processor.streams;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import com.google.protobuf.InvalidProtocolBufferException;

import io.tributary.processor.contract.TelemetryCheck;
import io.tributary.proto.v1.ReadingBatch;

/**
 * Decodes telemetry records and forwards the valid batches (key = device id). Invalid records are counted and skipped:
 * the readings writer dead-letters them with the reason, so doing it here too would duplicate dead letters.
 */
final class ReadingsDecoder implements Processor<byte[], byte[], String, ReadingBatch> {

    /**
     * Longest device id (UTF-8 bytes) the Streams part keeps state for. The id is in every store key and changelog
     * record of the device, and a changelog record Kafka refuses (too large) fails the stream thread whatever the
     * exception handlers say; the gateway's ids are far shorter (registry), but a record from elsewhere may not be.
     */
    static final int MAX_DEVICE_ID_BYTES = 256;

    private final StreamsListener listener;
    private final TelemetryCheck contract;
    private ProcessorContext<String, ReadingBatch> context;

    ReadingsDecoder(StreamsListener listener, TelemetryCheck contract) {
        this.listener = listener;
        this.contract = contract;
    }

    @Override
    public void init(ProcessorContext<String, ReadingBatch> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            return; // the readings writer dead-letters what is not a valid batch
        }
        ReadingBatch batch;
        try {
            batch = ReadingBatch.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            return;
        }
        String device = batch.getDeviceId();
        if (device.isEmpty() || (record.key() != null
                && !device.equals(new String(record.key(), StandardCharsets.UTF_8)))) {
            return;
        }
        // The contract, checked again: a batch that breaks it (e.g. a reading dated in 2200) reaches neither the
        // rollups nor the alert rules, so it cannot move event-time progress; the readings writer dead-letters it.
        TelemetryCheck.Violation violation = contract.check(batch,
                Math.multiplyExact(context.currentSystemTimeMs(), 1_000_000L));
        if (violation != null) {
            listener.contractViolation(violation.rule());
            return;
        }
        if (device.length() > MAX_DEVICE_ID_BYTES / 3
                && device.getBytes(StandardCharsets.UTF_8).length > MAX_DEVICE_ID_BYTES) {
            listener.deviceIdTooLong();
            return;
        }
        listener.readingsProcessed(batch.getReadingsCount());
        context.forward(record.withKey(device).withValue(batch));
    }
}
