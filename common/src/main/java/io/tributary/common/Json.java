package io.tributary.common;

import java.util.Map;

/**
 * The JSON that Tributary writes by hand (one-line summaries, ledgers, error bodies): the one string escaper, and a
 * writer for maps, lists, numbers, booleans and strings. Reading JSON is a library's job, not this class's.
 */
public final class Json {

    private Json() {
    }

    /** {@code value} as a JSON string literal, quotes included. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2);
        appendQuoted(out, value);
        return out.toString();
    }

    /** Appends {@code value} as a JSON string literal, escaping quotes, backslashes and control characters. */
    public static void appendQuoted(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * {@code value} as compact JSON: a {@link Map} becomes an object (keys by {@code String.valueOf}, in the map's
     * order), an {@link Iterable} an array, a {@link Number} or {@link Boolean} itself (a NaN or infinite one
     * {@code null}), {@code null} {@code null}, anything else its {@code toString()} as a string.
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    /** Appends {@code value} as {@link #write(Object)} describes. */
    public static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            String separator = "";
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.append(separator);
                separator = ",";
                appendQuoted(out, String.valueOf(entry.getKey()));
                out.append(':');
                write(out, entry.getValue());
            }
            out.append('}');
        } else if (value instanceof Iterable<?> items) {
            out.append('[');
            String separator = "";
            for (Object item : items) {
                out.append(separator);
                separator = ",";
                write(out, item);
            }
            out.append(']');
        } else if (value instanceof Double d && (d.isNaN() || d.isInfinite())
                || value instanceof Float f && (f.isNaN() || f.isInfinite())) {
            out.append("null");
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else {
            appendQuoted(out, value.toString());
        }
    }
}
