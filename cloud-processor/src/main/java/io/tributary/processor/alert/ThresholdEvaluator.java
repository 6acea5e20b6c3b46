package io.tributary.processor.alert;

import io.tributary.proto.v1.AlertEvent.AlertState;

/**
 * The state machine of a threshold rule, one reading at a time (event time). Pure.
 *
 * <pre>
 * OK      --breach, for = 0-------------------------------------> FIRING   (event FIRING)
 * OK      --breach------------------------------------------------> PENDING
 * PENDING --breach and (event time - since) >= for-----------------> FIRING   (event FIRING)
 * PENDING --no breach----------------------------------------------> OK
 * FIRING  --cleared (past the clear threshold)---------------------> OK       (event RESOLVED)
 * </pre>
 * A reading older than the last one evaluated for the same rule and series is ignored, so re-ordered or re-delivered
 * data cannot make an alert flap.
 */
public final class ThresholdEvaluator {

    private ThresholdEvaluator() {
    }

    /** The outcome of one reading: the new status, and the transition to report (null when none). */
    public record Step(AlertStatus next, AlertState event) {
    }

    public static Step evaluate(AlertRule.Threshold rule, AlertStatus current, double value, long eventTimeNanos) {
        if (eventTimeNanos < current.lastEventNanos()) {
            return new Step(current, null);
        }
        return switch (current.phase()) {
            case OK -> {
                if (!rule.breached(value)) {
                    yield new Step(AlertStatus.OK, null);
                }
                if (rule.forDuration().isZero()) {
                    yield new Step(new AlertStatus(AlertStatus.Phase.FIRING, eventTimeNanos, eventTimeNanos),
                            AlertState.FIRING);
                }
                yield new Step(new AlertStatus(AlertStatus.Phase.PENDING, eventTimeNanos, eventTimeNanos), null);
            }
            case PENDING -> {
                if (!rule.breached(value)) {
                    yield new Step(AlertStatus.OK, null);
                }
                if (eventTimeNanos - current.sinceNanos() >= rule.forDuration().toNanos()) {
                    yield new Step(new AlertStatus(AlertStatus.Phase.FIRING, eventTimeNanos, eventTimeNanos),
                            AlertState.FIRING);
                }
                yield new Step(new AlertStatus(AlertStatus.Phase.PENDING, current.sinceNanos(), eventTimeNanos),
                        null);
            }
            case FIRING -> {
                if (rule.cleared(value)) {
                    yield new Step(AlertStatus.OK, AlertState.RESOLVED);
                }
                yield new Step(new AlertStatus(AlertStatus.Phase.FIRING, current.sinceNanos(), eventTimeNanos), null);
            }
        };
    }
}
