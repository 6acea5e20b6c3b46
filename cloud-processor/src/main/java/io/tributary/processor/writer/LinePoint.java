package io.tributary.processor.writer;

import java.util.Arrays;

/**
 * One immutable InfluxDB point that writes itself as a line of line protocol (timestamp in nanoseconds).
 *
 * <p>Replaces influxdb-client-java's {@code Point}, whose {@code toLineProtocol} cost about a quarter of the processor's
 * CPU (a {@code DecimalFormat} per float, a stream per point for default tags). The output is what {@code Point} wrote
 * for the same input, except that floats use {@link Double#toString(double)} (shortest round-trip digits, with an
 * exponent such as {@code 1.0E-5} outside [10<sup>-3</sup>, 10<sup>7</sup>), which InfluxDB's parser accepts) instead of
 * plain decimals. Tags and fields are sorted by key, as {@code Point} did and InfluxDB recommends.
 *
 * <p>Names and tag values are checked when the point is built: empty, control characters (a newline would end the
 * line) and backslashes (one at the end of a tag value would escape the separator after it) are refused, so that every
 * point encodes to exactly one valid line. Floats must be finite: line protocol has no NaN or Infinity.
 */
public final class LinePoint {

    private final String measurement;
    private final String[] tagKeys;
    private final String[] tagValues;
    private final String[] fieldKeys;
    /** Per field: a {@link Double}, {@link Long} or {@link String}. */
    private final Object[] fieldValues;
    private final long timeNanos;

    private LinePoint(Builder b) {
        this.measurement = b.measurement;
        int tags = b.tagCount;
        this.tagKeys = Arrays.copyOf(b.tagKeys, tags);
        this.tagValues = Arrays.copyOf(b.tagValues, tags);
        sortByKey(tagKeys, tagValues);
        int fields = b.fieldCount;
        this.fieldKeys = Arrays.copyOf(b.fieldKeys, fields);
        this.fieldValues = Arrays.copyOf(b.fieldValues, fields);
        sortByKey(fieldKeys, fieldValues);
        this.timeNanos = b.timeNanos;
    }

    /** Starts a point of the measurement. */
    public static Builder measurement(String measurement) {
        return new Builder(measurement);
    }

    public String measurement() {
        return measurement;
    }

    /** The tag's value, or null if the point has no such tag. */
    public String tag(String key) {
        int i = indexOf(tagKeys, tagKeys.length, key);
        return i < 0 ? null : tagValues[i];
    }

    /** The field's value ({@link Double}, {@link Long} or {@link String}), or null if the point has no such field. */
    public Object field(String key) {
        int i = indexOf(fieldKeys, fieldKeys.length, key);
        return i < 0 ? null : fieldValues[i];
    }

    /** Appends this point's line (without a line break) to {@code out}. */
    public void appendTo(StringBuilder out) {
        escape(out, measurement, false);
        for (int i = 0; i < tagKeys.length; i++) {
            out.append(',');
            escape(out, tagKeys[i], true);
            out.append('=');
            escape(out, tagValues[i], true);
        }
        for (int i = 0; i < fieldKeys.length; i++) {
            out.append(i == 0 ? ' ' : ',');
            escape(out, fieldKeys[i], true);
            out.append('=');
            Object value = fieldValues[i];
            if (value instanceof Double d) {
                out.append(d.doubleValue());
            } else if (value instanceof Long l) {
                out.append(l.longValue()).append('i');
            } else {
                appendQuoted(out, (String) value);
            }
        }
        out.append(' ').append(timeNanos);
    }

    /** The points' lines joined by {@code \n}: one line-protocol request body. */
    public static String encode(Iterable<LinePoint> points, StringBuilder reuse) {
        reuse.setLength(0);
        for (LinePoint point : points) {
            if (reuse.length() > 0) {
                reuse.append('\n');
            }
            point.appendTo(reuse);
        }
        return reuse.toString();
    }

    /** This point's line. */
    public String toLineProtocol() {
        StringBuilder out = new StringBuilder(64);
        appendTo(out);
        return out.toString();
    }

    @Override
    public String toString() {
        return toLineProtocol();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinePoint other && toLineProtocol().equals(other.toLineProtocol());
    }

    @Override
    public int hashCode() {
        return toLineProtocol().hashCode();
    }

    /** Measurement: comma and space; tag keys, tag values, field keys: also the equals sign. */
    private static void escape(StringBuilder out, String s, boolean equalsSign) {
        int first = 0;
        while (first < s.length() && !needsEscape(s.charAt(first), equalsSign)) {
            first++;
        }
        // Names and ids rarely need escaping: copy them whole (appending char by char was a tenth of the processor).
        if (first == s.length()) {
            out.append(s);
            return;
        }
        out.append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            if (needsEscape(c, equalsSign)) {
                out.append('\\');
            }
            out.append(c);
        }
    }

    private static boolean needsEscape(char c, boolean equalsSign) {
        return c == ',' || c == ' ' || (equalsSign && c == '=');
    }

    /** String field value: double quote and backslash escaped, inside double quotes. */
    private static void appendQuoted(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        out.append('"');
    }

    /** Insertion sort of parallel arrays by key: points have a handful of tags and fields. */
    private static void sortByKey(String[] keys, Object[] values) {
        for (int i = 1; i < keys.length; i++) {
            String key = keys[i];
            Object value = values[i];
            int j = i - 1;
            while (j >= 0 && keys[j].compareTo(key) > 0) {
                keys[j + 1] = keys[j];
                values[j + 1] = values[j];
                j--;
            }
            keys[j + 1] = key;
            values[j + 1] = value;
        }
    }

    private static int indexOf(String[] keys, int count, String key) {
        for (int i = 0; i < count; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** Why {@code s} cannot be a measurement, key or tag value, or null if it can. */
    static String nameProblem(String s) {
        if (s == null || s.isEmpty()) {
            return "is empty";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "contains a control character at index " + i;
            }
            if (c == '\\') {
                return "contains a backslash at index " + i;
            }
        }
        return null;
    }

    private static String checkedName(String what, String s) {
        String problem = nameProblem(s);
        if (problem != null) {
            throw new IllegalArgumentException(what + " '" + s + "' " + problem);
        }
        return s;
    }

    /** Collects a point's parts; {@link #time} builds it. Keys must be unique among tags and among fields. */
    public static final class Builder {

        private final String measurement;
        private String[] tagKeys = new String[4];
        private String[] tagValues = new String[4];
        private int tagCount;
        private String[] fieldKeys = new String[5];
        private Object[] fieldValues = new Object[5];
        private int fieldCount;
        private long timeNanos;

        private Builder(String measurement) {
            this.measurement = checkedName("measurement", measurement);
        }

        public Builder tag(String key, String value) {
            checkedName("tag key", key);
            if (nameProblem(value) != null) { // the message only when it fails: this runs for every tag of every point
                checkedName("value of tag " + key, value);
            }
            if (indexOf(tagKeys, tagCount, key) >= 0) {
                throw new IllegalArgumentException("tag " + key + " given twice");
            }
            if (tagCount == tagKeys.length) {
                tagKeys = Arrays.copyOf(tagKeys, tagCount * 2);
                tagValues = Arrays.copyOf(tagValues, tagCount * 2);
            }
            tagKeys[tagCount] = key;
            tagValues[tagCount++] = value;
            return this;
        }

        /** A float field; the value must be finite. */
        public Builder floatField(String key, double value) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("field " + key + " is " + value + ": line protocol has only finite floats");
            }
            return field(key, value);
        }

        /** An integer field (written with the {@code i} suffix). */
        public Builder integerField(String key, long value) {
            return field(key, value);
        }

        /** A string field; any characters. */
        public Builder stringField(String key, String value) {
            if (value == null) {
                throw new IllegalArgumentException("field " + key + " is null");
            }
            return field(key, value);
        }

        private Builder field(String key, Object value) {
            checkedName("field key", key);
            if (indexOf(fieldKeys, fieldCount, key) >= 0) {
                throw new IllegalArgumentException("field " + key + " given twice");
            }
            if (fieldCount == fieldKeys.length) {
                fieldKeys = Arrays.copyOf(fieldKeys, fieldCount * 2);
                fieldValues = Arrays.copyOf(fieldValues, fieldCount * 2);
            }
            fieldKeys[fieldCount] = key;
            fieldValues[fieldCount++] = value;
            return this;
        }

        /** Sets the timestamp (Unix epoch nanoseconds) and builds the point; it needs at least one field. */
        public LinePoint time(long unixNanos) {
            if (fieldCount == 0) {
                throw new IllegalArgumentException("point of " + measurement + " has no field");
            }
            this.timeNanos = unixNanos;
            return new LinePoint(this);
        }
    }
}
