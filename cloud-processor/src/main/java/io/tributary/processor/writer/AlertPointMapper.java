package io.tributary.processor.writer;

import java.util.List;
import java.util.Locale;

import com.google.protobuf.InvalidProtocolBufferException;

import io.tributary.proto.v1.AlertEvent;

/**
 * An {@code alerts} record (serialized {@link AlertEvent}) as one point: measurement {@code alerts}, tags
 * {@code device}, {@code rule}, {@code severity} ({@code info}/{@code warning}/{@code critical}); fields {@code state}
 * ({@code firing}/{@code resolved}), {@code value}, {@code threshold} (float), {@code message}, {@code sensor}; time =
 * the transition time; plus a tag per device label named in {@code enrichment.tags} that the event carries (the event
 * itself, and the webhook's JSON, carry all labels).
 */
public final class AlertPointMapper implements RecordMapper {

    public static final String MEASUREMENT = "alerts";

    private final List<String> tagKeys;

    public AlertPointMapper() {
        this(List.of());
    }

    /** {@code tagKeys}: the labels that become tags. */
    public AlertPointMapper(List<String> tagKeys) {
        this.tagKeys = List.copyOf(tagKeys);
    }

    @Override
    public MappedRecord map(byte[] key, byte[] value) {
        String keyDevice = key == null ? "" : new String(key, java.nio.charset.StandardCharsets.UTF_8);
        if (value == null) {
            return new MappedRecord.Rejected(keyDevice, DeadLetterReason.PAYLOAD_FORMAT_INVALID, "tombstone");
        }
        AlertEvent e;
        try {
            e = AlertEvent.parseFrom(value);
        } catch (InvalidProtocolBufferException ex) {
            return new MappedRecord.Rejected(keyDevice, DeadLetterReason.PAYLOAD_FORMAT_INVALID,
                    "not a tributary.v1.AlertEvent: " + ex.getMessage());
        }
        String problem = ReadingPointMapper.tagProblem("device_id", e.getDeviceId());
        if (problem == null) {
            problem = ReadingPointMapper.tagProblem("rule", e.getRule());
        }
        if (problem == null && (e.getState() != AlertEvent.AlertState.FIRING
                && e.getState() != AlertEvent.AlertState.RESOLVED)) {
            problem = "state must be FIRING or RESOLVED, got " + e.getState();
        }
        if (problem == null && (e.getTransitionTimeUnixNanos() <= 0 || !Double.isFinite(e.getValue())
                || !Double.isFinite(e.getThreshold()))) {
            problem = "transition time must be positive, value and threshold finite";
        }
        if (problem != null) {
            return new MappedRecord.Rejected(e.getDeviceId().isEmpty() ? keyDevice : e.getDeviceId(),
                    DeadLetterReason.READING_INVALID, "alert: " + problem);
        }
        AlertEvent.Severity severity = e.getSeverity() == AlertEvent.Severity.SEVERITY_UNSPECIFIED
                ? AlertEvent.Severity.INFO : e.getSeverity();
        LinePoint point = ReadingPointMapper.labelTags(LinePoint.measurement(MEASUREMENT), tagKeys,
                        RollupPointMapper.labels(tagKeys, e.getLabelsMap()))
                .tag("device", e.getDeviceId())
                .tag("rule", e.getRule())
                .tag("severity", severity.name().toLowerCase(Locale.ROOT))
                .stringField("state", e.getState().name().toLowerCase(Locale.ROOT))
                .floatField("value", e.getValue())
                .floatField("threshold", e.getThreshold())
                .stringField("message", e.getMessage())
                .stringField("sensor", e.getSensor())
                .time(e.getTransitionTimeUnixNanos());
        return new MappedRecord.Points(e.getDeviceId(), List.of(point));
    }
}
