package io.tributary.common;

/**
 * Makes text that came from a device (client ids, user names, topic names, reason strings) safe to put into a log
 * line: a device must not be able to start a new line, fake a key-value pair with terminal control sequences, hide text
 * with bidirectional overrides, or fill the log with one huge value. Every character that is not printable is written
 * as a Java-style escape ({@code \n}, {@code \t}, {@code \u001b}), a backslash as {@code \\} (so an escape in the
 * output always means an escaped character), and the result is cut at a bounded length with a note of how much was
 * left out. Printable text, including non-Latin letters, stays as it is.
 */
public final class LogSanitizer {

    /** Characters kept from one value by {@link #sanitize(String)}. */
    public static final int DEFAULT_MAX_LENGTH = 200;

    private LogSanitizer() {
    }

    /** {@code text} escaped and cut at {@link #DEFAULT_MAX_LENGTH} characters; {@code "null"} for null. */
    public static String sanitize(String text) {
        return sanitize(text, DEFAULT_MAX_LENGTH);
    }

    /**
     * {@code text} escaped and cut at {@code maxLength} characters of the original (escapes make the result longer,
     * by at most six characters per character kept).
     *
     * @param maxLength at least 1
     */
    public static String sanitize(String text, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be at least 1, got " + maxLength);
        }
        if (text == null) {
            return "null";
        }
        int end = Math.min(text.length(), maxLength);
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))
                && Character.isLowSurrogate(text.charAt(end))) {
            end--; // never split a surrogate pair: the cut half would be escaped as garbage
        }
        if (end == text.length() && isClean(text)) {
            return text; // the common case: no copy
        }
        StringBuilder out = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                int codePoint = Character.toCodePoint(c, text.charAt(i + 1));
                if (Character.isDefined(codePoint) && !isFormatOrControl(Character.getType(codePoint))) {
                    out.append(c).append(text.charAt(i + 1));
                } else {
                    escape(out, c);
                    escape(out, text.charAt(i + 1));
                }
                i++;
            } else if (c == '\\') {
                out.append("\\\\");
            } else if (needsEscape(c)) {
                escape(out, c);
            } else {
                out.append(c);
            }
        }
        if (end < text.length()) {
            out.append("...(").append(text.length() - end).append(" more chars)");
        }
        return out.toString();
    }

    private static boolean isClean(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || needsEscape(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Control characters (C0, DEL, C1), format characters (bidirectional overrides, zero-width characters), line and
     * paragraph separators, lone surrogates and unassigned characters.
     */
    private static boolean needsEscape(char c) {
        if (c >= 0x20 && c < 0x7f) {
            return false; // printable ASCII
        }
        // a well-formed surrogate pair is handled by the caller; DEL is a control character
        return Character.isSurrogate(c) || !Character.isDefined(c) || isFormatOrControl(Character.getType(c));
    }

    private static boolean isFormatOrControl(int type) {
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    private static void escape(StringBuilder out, char c) {
        switch (c) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> out.append(String.format("\\u%04x", (int) c));
        }
    }
}
