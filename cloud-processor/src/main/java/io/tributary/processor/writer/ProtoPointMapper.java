package io.tributary.processor.writer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

import io.tributary.contract.metadata.DeviceLabels;

/**
 * The mapper of a topic the Streams part writes (rollups, alerts, device health): one protobuf message per record
 * becomes one point, tagged {@code device} and with each of the message's labels named in {@code enrichment.tags}. A
 * tombstone, a value that does not parse, or a message that cannot be stored faithfully is rejected. These run per
 * rollup, alert or health record, not per reading.
 */
abstract class ProtoPointMapper<T extends Message> implements RecordMapper {

    private final String measurement;
    private final String kind;
    private final T defaultInstance;
    private final Function<T, String> deviceId;
    private final Function<T, Map<String, String>> labels;
    private final List<String> tagKeys;

    /** {@code kind} names the record in a rejection; {@code tagKeys}: the labels that become tags. */
    ProtoPointMapper(String measurement, String kind, T defaultInstance, Function<T, String> deviceId,
            Function<T, Map<String, String>> labels, List<String> tagKeys) {
        this.measurement = measurement;
        this.kind = kind;
        this.defaultInstance = defaultInstance;
        this.deviceId = deviceId;
        this.labels = labels;
        this.tagKeys = List.copyOf(tagKeys);
    }

    /** Why the message cannot be stored (its device id is checked already), or null if it can. */
    abstract String problem(T message);

    /** The point's other tags and its fields and time. */
    abstract LinePoint point(T message, LinePoint.Builder point);

    @Override
    @SuppressWarnings("unchecked")
    public final MappedRecord map(byte[] key, byte[] value) {
        String keyDevice = key == null ? "" : new String(key, StandardCharsets.UTF_8);
        if (value == null) {
            return new MappedRecord.Rejected(keyDevice, DeadLetterReason.PAYLOAD_FORMAT_INVALID, "tombstone");
        }
        T message;
        try {
            message = (T) defaultInstance.getParserForType().parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            return new MappedRecord.Rejected(keyDevice, DeadLetterReason.PAYLOAD_FORMAT_INVALID,
                    "not a " + defaultInstance.getDescriptorForType().getFullName() + ": " + e.getMessage());
        }
        String device = deviceId.apply(message);
        String problem = ReadingPointMapper.tagProblem("device_id", device);
        if (problem == null) {
            problem = problem(message);
        }
        if (problem != null) {
            return new MappedRecord.Rejected(device.isEmpty() ? keyDevice : device, DeadLetterReason.READING_INVALID,
                    kind + ": " + problem);
        }
        LinePoint.Builder point = ReadingPointMapper.labelTags(LinePoint.measurement(measurement), tagKeys,
                tagLabels(labels.apply(message))).tag("device", device);
        return new MappedRecord.Points(device, List.of(point(message, point)));
    }

    /**
     * The labels of a record that may become tags: none if no label is a tag, or if one breaks the label rules (a
     * record not written by this processor: it must not stop the writer).
     */
    private Map<String, String> tagLabels(Map<String, String> labels) {
        if (tagKeys.isEmpty()) {
            return Map.of();
        }
        try {
            labels.forEach(DeviceLabels::check);
            return labels;
        } catch (IllegalArgumentException e) {
            return Map.of();
        }
    }
}
