package io.tributary.processor.writer;

import java.util.List;

import io.tributary.proto.v1.DeviceHealth;

/**
 * A {@code device-health} record (serialized {@link DeviceHealth}) as one point: measurement {@code device_health},
 * tag {@code device}; integer fields {@code batches}, {@code gaps}, {@code late}, {@code duplicates}, {@code restarts},
 * {@code reported_dropped}, {@code last_seq}, {@code last_batch} (arrival, epoch ms); float fields {@code skew_ms},
 * {@code lag_ms}; time = the emission time; plus a tag per device label named in {@code enrichment.tags} that the record
 * carries. Re-delivery overwrites the same point.
 */
public final class DeviceHealthPointMapper extends ProtoPointMapper<DeviceHealth> {

    public static final String MEASUREMENT = "device_health";

    public DeviceHealthPointMapper(List<String> tagKeys) {
        super(MEASUREMENT, "device health", DeviceHealth.getDefaultInstance(), DeviceHealth::getDeviceId,
                DeviceHealth::getLabelsMap, tagKeys);
    }

    @Override
    String problem(DeviceHealth h) {
        return h.getTimeUnixNanos() <= 0 || !Double.isFinite(h.getSkewMs()) || !Double.isFinite(h.getLagMs())
                ? "time must be positive, skew_ms and lag_ms finite" : null;
    }

    @Override
    LinePoint point(DeviceHealth h, LinePoint.Builder point) {
        return point.integerField("batches", h.getBatches())
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
    }
}
