package io.tributary.processor.writer;

import java.util.List;
import java.util.Map;

import com.google.protobuf.InvalidProtocolBufferException;

import io.tributary.proto.v1.Rollup;

/**
 * A {@code rollups} record (serialized {@link Rollup}) as one point: measurement {@code rollups}, tags {@code device},
 * {@code sensor}, {@code window}; fields {@code count} (int), {@code min}, {@code max}, {@code mean}, {@code last}
 * (float); time = window start; plus a tag per device label named in {@code enrichment.tags} that the rollup carries.
 * Re-delivery overwrites the same point.
 */
public final class RollupPointMapper implements RecordMapper {

    public static final String MEASUREMENT = "rollups";

    private final List<String> tagKeys;

    public RollupPointMapper() {
        this(List.of());
    }

    /** {@code tagKeys}: the labels that become tags. */
    public RollupPointMapper(List<String> tagKeys) {
        this.tagKeys = List.copyOf(tagKeys);
    }

    @Override
    public MappedRecord map(byte[] key, byte[] value) {
        String keyDevice = key == null ? "" : new String(key, java.nio.charset.StandardCharsets.UTF_8);
        if (value == null) {
            return new MappedRecord.Rejected(keyDevice, DeadLetterReason.PAYLOAD_FORMAT_INVALID, "tombstone");
        }
        Rollup r;
        try {
            r = Rollup.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            return new MappedRecord.Rejected(keyDevice, DeadLetterReason.PAYLOAD_FORMAT_INVALID,
                    "not a tributary.v1.Rollup: " + e.getMessage());
        }
        String problem = ReadingPointMapper.tagProblem("device_id", r.getDeviceId());
        if (problem == null) {
            problem = ReadingPointMapper.tagProblem("sensor", r.getSensor());
        }
        if (problem == null) {
            problem = ReadingPointMapper.tagProblem("window", r.getWindow());
        }
        if (problem == null && (r.getCount() <= 0 || r.getWindowStartUnixNanos() <= 0)) {
            problem = "count and window_start_unix_nanos must be positive";
        }
        if (problem != null) {
            return new MappedRecord.Rejected(r.getDeviceId().isEmpty() ? keyDevice : r.getDeviceId(),
                    DeadLetterReason.READING_INVALID, "rollup: " + problem);
        }
        LinePoint point = ReadingPointMapper.labelTags(LinePoint.measurement(MEASUREMENT), tagKeys,
                        labels(tagKeys, r.getLabelsMap()))
                .tag("device", r.getDeviceId())
                .tag("sensor", r.getSensor())
                .tag("window", r.getWindow())
                .integerField("count", r.getCount())
                .floatField("min", r.getMin())
                .floatField("max", r.getMax())
                .floatField("mean", r.getMean())
                .floatField("last", r.getLast())
                .time(r.getWindowStartUnixNanos());
        return new MappedRecord.Points(r.getDeviceId(), List.of(point));
    }

    /**
     * The labels of a record that may become tags: none if no label is a tag, or if one breaks the label rules (a
     * record not written by this processor: it must not stop the writer).
     */
    static Map<String, String> labels(List<String> tagKeys, Map<String, String> labels) {
        if (tagKeys.isEmpty()) {
            return Map.of();
        }
        try {
            labels.forEach(io.tributary.contract.metadata.DeviceLabels::check);
            return labels;
        } catch (IllegalArgumentException e) {
            return Map.of();
        }
    }
}
