package io.tributary.processor.writer;

import java.util.List;

import io.tributary.proto.v1.Rollup;

/**
 * A {@code rollups} record (serialized {@link Rollup}) as one point: measurement {@code rollups}, tags {@code device},
 * {@code sensor}, {@code window}; fields {@code count} (int), {@code min}, {@code max}, {@code mean}, {@code last}
 * (float); time = window start; plus a tag per device label named in {@code enrichment.tags} that the rollup carries.
 * Re-delivery overwrites the same point.
 */
public final class RollupPointMapper extends ProtoPointMapper<Rollup> {

    public static final String MEASUREMENT = "rollups";

    public RollupPointMapper(List<String> tagKeys) {
        super(MEASUREMENT, "rollup", Rollup.getDefaultInstance(), Rollup::getDeviceId, Rollup::getLabelsMap, tagKeys);
    }

    @Override
    String problem(Rollup r) {
        String problem = ReadingPointMapper.tagProblem("sensor", r.getSensor());
        if (problem == null) {
            problem = ReadingPointMapper.tagProblem("window", r.getWindow());
        }
        if (problem == null && (r.getCount() <= 0 || r.getWindowStartUnixNanos() <= 0)) {
            problem = "count and window_start_unix_nanos must be positive";
        }
        return problem;
    }

    @Override
    LinePoint point(Rollup r, LinePoint.Builder point) {
        return point.tag("sensor", r.getSensor())
                .tag("window", r.getWindow())
                .integerField("count", r.getCount())
                .floatField("min", r.getMin())
                .floatField("max", r.getMax())
                .floatField("mean", r.getMean())
                .floatField("last", r.getLast())
                .time(r.getWindowStartUnixNanos());
    }
}
