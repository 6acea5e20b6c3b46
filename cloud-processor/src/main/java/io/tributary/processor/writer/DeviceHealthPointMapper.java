package io.tributary.processor.writer;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.google.protobuf.InvalidProtocolBufferException;

import io.tributary.proto.v1.DeviceHealth;

/**
 * A {@code device-health} record (serialized {@link DeviceHealth}) as one point: measurement {@code device_health},
 * tag {@code device}; integer fields {@code batches}, {@code gaps}, {@code late}, {@code duplicates}, {@code restarts},
 * {@code reported_dropped}, {@code last_seq}, {@code last_batch} (arrival, epoch ms); float fields {@code skew_ms},
 * {@code lag_ms}; time = the emission time; plus a tag per device label named in {@code enrichment.tags} that the record
 * carries. Re-delivery overwrites the same point.
 */
public final class DeviceHealthPointMapper implements RecordMapper {

    public static final String MEASUREMENT = "device_health";

    private final List<String> tagKeys;

    public DeviceHealthPointMapper() {
        this(List.of());
    }

    /** {@code tagKeys}: the labels that become tags. */
    public DeviceHealthPointMapper(List<String> tagKeys) {
        this.tagKeys = List.copyOf(tagKeys);
    }

    @Override
    public MappedRecord map(byte[] key, byte[] value) {
        String keyDevice = key == null ? "" : new String(key, StandardCharsets.UTF_8);
        if (value == null) {
            return new MappedRecord.Rejected(keyDevice, DeadLetterReason.PAYLOAD_FORMAT_INVALID, "tombstone");
        }
        DeviceHealth h;
        try {
            h = DeviceHealth.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            return new MappedRecord.Rejected(keyDevice, DeadLetterReason.PAYLOAD_FORMAT_INVALID,
                    "not a tributary.v1.DeviceHealth: " + e.getMessage());
        }
        String problem = ReadingPointMapper.tagProblem("device_id", h.getDeviceId());
        if (problem == null && (h.getTimeUnixNanos() <= 0 || !Double.isFinite(h.getSkewMs())
                || !Double.isFinite(h.getLagMs()))) {
            problem = "time must be positive, skew_ms and lag_ms finite";
        }
        if (problem != null) {
            return new MappedRecord.Rejected(h.getDeviceId().isEmpty() ? keyDevice : h.getDeviceId(),
                    DeadLetterReason.READING_INVALID, "device health: " + problem);
        }
        LinePoint point = ReadingPointMapper.labelTags(LinePoint.measurement(MEASUREMENT), tagKeys,
                        RollupPointMapper.labels(tagKeys, h.getLabelsMap()))
                .tag("device", h.getDeviceId())
                .integerField("batches", h.getBatches())
                .integerField("gaps", h.getGaps())
                .integerField("late", h.getLate())
                .integerField("duplicates", h.getDuplicates())
                .integerField("restarts", h.getRestarts())
                .integerField("reported_dropped", h.getReportedDropped())
                .integerField("last_seq", h.getLastSeq())
                .floatField("skew_ms", h.getSkewMs())
                .floatField("lag_ms", h.getLagMs())
                .integerField("last_batch", h.getLastBatchUnixMs())
                .time(h.getTimeUnixNanos());
        return new MappedRecord.Points(h.getDeviceId(), List.of(point));
    }
}
