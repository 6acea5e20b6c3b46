package io.tributary.contract;

/** Makes device-supplied text safe and short enough to quote in reason strings, headers and log lines. */
final class Texts {

    /** How many characters of a device's name a message quotes at most. */
    static final int MAX_QUOTED = 48;

    private Texts() {
    }

    /**
     * {@code text} as printable ASCII: quote and backslash escaped, everything else outside 0x20..0x7e as
     * {@code \\uXXXX}; cut after {@link #MAX_QUOTED} characters (source or escaped) with {@code ...(N chars)} telling
     * the full length.
     */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_QUOTED) + 16);
        int shown = 0;
        // bounded twice: in source characters, and in output (escapes are up to six characters each)
        while (shown < text.length() && shown < MAX_QUOTED && out.length() < MAX_QUOTED) {
            appendEscaped(out, text.charAt(shown++));
        }
        if (shown < text.length()) {
            out.append("...(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }

    /** {@code text} with non-printable-ASCII characters escaped, then cut to {@code max} characters. */
    static String bounded(String text, int max) {
        boolean safe = text.length() <= max;
        for (int i = 0; safe && i < text.length(); i++) {
            char c = text.charAt(i);
            safe = c >= 0x20 && c < 0x7f;
        }
        if (safe) {
            return text;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 8);
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                appendUnicodeEscape(out, c);
            }
        }
        if (out.length() > max) {
            out.setLength(max - 3);
            out.append("...");
        }
        return out.toString();
    }

    private static void appendEscaped(StringBuilder out, char c) {
        if (c == '\'' || c == '\\') {
            out.append('\\').append(c);
        } else if (c >= 0x20 && c < 0x7f) {
            out.append(c);
        } else {
            appendUnicodeEscape(out, c);
        }
    }

    private static void appendUnicodeEscape(StringBuilder out, char c) {
        out.append(String.format("\\u%04x", (int) c));
    }

    /** A code point as {@code U+XXXX}, with the character itself when it is printable ASCII. */
    static String describeCharacter(int codePoint) {
        String code = String.format("U+%04X", codePoint);
        if (codePoint >= 0x21 && codePoint < 0x7f && codePoint != '\'' && codePoint != '\\') {
            return "'" + (char) codePoint + "' (" + code + ")";
        }
        return code;
    }
}
