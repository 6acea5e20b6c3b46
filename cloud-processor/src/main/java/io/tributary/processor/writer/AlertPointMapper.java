package io.tributary.processor.writer;

import java.util.List;
import java.util.Locale;

import io.tributary.proto.v1.AlertEvent;

/**
 * An {@code alerts} record (serialized {@link AlertEvent}) as one point: measurement {@code alerts}, tags
 * {@code device}, {@code rule}, {@code severity} ({@code info}/{@code warning}/{@code critical}); fields {@code state}
 * ({@code firing}/{@code resolved}), {@code value}, {@code threshold} (float), {@code message}, {@code sensor}; time =
 * the transition time; plus a tag per device label named in {@code enrichment.tags} that the event carries (the event
 * itself, and the webhook's JSON, carry all labels).
 */
public final class AlertPointMapper extends ProtoPointMapper<AlertEvent> {

    public static final String MEASUREMENT = "alerts";

    public AlertPointMapper(List<String> tagKeys) {
        super(MEASUREMENT, "alert", AlertEvent.getDefaultInstance(), AlertEvent::getDeviceId,
                AlertEvent::getLabelsMap, tagKeys);
    }

    @Override
    String problem(AlertEvent e) {
        String problem = ReadingPointMapper.tagProblem("rule", e.getRule());
        if (problem == null && (e.getState() != AlertEvent.AlertState.FIRING
                && e.getState() != AlertEvent.AlertState.RESOLVED)) {
            problem = "state must be FIRING or RESOLVED, got " + e.getState();
        }
        if (problem == null && (e.getTransitionTimeUnixNanos() <= 0 || !Double.isFinite(e.getValue())
                || !Double.isFinite(e.getThreshold()))) {
            problem = "transition time must be positive, value and threshold finite";
        }
        return problem;
    }

    @Override
    LinePoint point(AlertEvent e, LinePoint.Builder point) {
        AlertEvent.Severity severity = e.getSeverity() == AlertEvent.Severity.SEVERITY_UNSPECIFIED
                ? AlertEvent.Severity.INFO : e.getSeverity();
        return point.tag("rule", e.getRule())
                .tag("severity", severity.name().toLowerCase(Locale.ROOT))
                .stringField("state", e.getState().name().toLowerCase(Locale.ROOT))
                .floatField("value", e.getValue())
                .floatField("threshold", e.getThreshold())
                .stringField("message", e.getMessage())
                .stringField("sensor", e.getSensor())
                .time(e.getTransitionTimeUnixNanos());
    }
}
