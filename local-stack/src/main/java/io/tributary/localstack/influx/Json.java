package io.tributary.localstack.influx;

import java.util.Optional;

/** Just enough JSON for error bodies: quote a string, read one top-level string field. Not a general parser. */
final class Json {
    private Json() {
    }

    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
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
        return out.append('"').toString();
    }

    /**
     * The value of string field {@code name} in a JSON object, if the text is an object that has it. Scans for
     * {@code "name"} followed by a colon outside of strings at nesting depth 1.
     */
    static Optional<String> stringField(String json, String name) {
        String text = json.trim();
        if (!text.startsWith("{")) {
            return Optional.empty();
        }
        int depth = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                StringBuilder key = new StringBuilder();
                int end = readString(text, i, key);
                if (end < 0) {
                    return Optional.empty();
                }
                int j = skipWhitespace(text, end);
                if (depth == 1 && j < text.length() && text.charAt(j) == ':' && key.toString().equals(name)) {
                    int v = skipWhitespace(text, j + 1);
                    if (v < text.length() && text.charAt(v) == '"') {
                        StringBuilder value = new StringBuilder();
                        return readString(text, v, value) < 0 ? Optional.empty() : Optional.of(value.toString());
                    }
                    return Optional.empty();
                }
                i = end;
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
            i++;
        }
        return Optional.empty();
    }

    private static int skipWhitespace(String text, int from) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Reads the string starting at the quote at {@code start} into {@code out}; returns the index after it, or -1. */
    private static int readString(String text, int start, StringBuilder out) {
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                if (i + 1 >= text.length()) {
                    return -1;
                }
                char e = text.charAt(i + 1);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (i + 6 > text.length()) {
                            return -1;
                        }
                        try {
                            out.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
                        } catch (NumberFormatException ex) {
                            return -1;
                        }
                        i += 4;
                    }
                    default -> out.append(e);
                }
                i += 2;
                continue;
            }
            out.append(c);
            i++;
        }
        return -1;
    }
}
