package io.tributary.simulator.ledger;

import java.util.Map;
import java.util.TreeMap;

/**
 * A set of batch sequence numbers kept as ranges ({@code 1-120,122-130}): one entry per gap, so a device that lost
 * nothing costs one entry however long it runs. Not thread-safe.
 */
public final class SeqRanges {

    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    private long size;

    /** Adds {@code seq}; false if it was there already. */
    public boolean add(long seq) {
        Map.Entry<Long, Long> below = ranges.floorEntry(seq);
        if (below != null && seq <= below.getValue()) {
            return false;
        }
        size++;
        long start = seq;
        long end = seq;
        if (below != null && below.getValue() == seq - 1) {
            start = below.getKey();
        }
        Long nextEnd = ranges.remove(seq + 1);
        if (nextEnd != null) {
            end = nextEnd;
        }
        ranges.put(start, end);
        return true;
    }

    public boolean contains(long seq) {
        Map.Entry<Long, Long> below = ranges.floorEntry(seq);
        return below != null && seq <= below.getValue();
    }

    public long size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public long highest() {
        return ranges.isEmpty() ? 0 : ranges.lastEntry().getValue();
    }

    /** The ranges as text: {@code 1-120,122,124-130}; empty for none. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        ranges.forEach((start, end) -> {
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(start);
            if (!end.equals(start)) {
                text.append('-').append(end);
            }
        });
        return text.toString();
    }

    /** Parses {@link #toString()}'s form. */
    public static SeqRanges parse(String text) {
        SeqRanges result = new SeqRanges();
        if (text == null || text.isBlank()) {
            return result;
        }
        for (String part : text.split(",")) {
            String[] bounds = part.trim().split("-");
            long start;
            long end;
            try {
                start = Long.parseLong(bounds[0]);
                end = bounds.length == 2 ? Long.parseLong(bounds[1]) : start;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a sequence range: '" + part + "'", e);
            }
            if (bounds.length > 2 || start < 1 || end < start) {
                throw new IllegalArgumentException("not a sequence range: '" + part + "'");
            }
            for (long seq = start; seq <= end; seq++) {
                result.add(seq);
            }
        }
        return result;
    }

    /** Sequence numbers from 1 to {@code upTo} that are in neither set. */
    public static SeqRanges missing(SeqRanges a, SeqRanges b, long upTo) {
        SeqRanges gaps = new SeqRanges();
        for (long seq = 1; seq <= upTo; seq++) {
            if (!a.contains(seq) && !b.contains(seq)) {
                gaps.add(seq);
            }
        }
        return gaps;
    }
}
