package io.tributary.contract;

/** The unit rules of {@link InputContract}, on text and on raw UTF-8 bytes; their messages. */
final class Units {

    private Units() {
    }

    /** Whether a unit may hold {@code codePoint}: not a control, format, line or paragraph separator character. */
    static boolean isAllowed(int codePoint) {
        if (codePoint < 0x80) {
            return codePoint >= 0x20 && codePoint != 0x7f;
        }
        int type = Character.getType(codePoint);
        return type != Character.CONTROL && type != Character.FORMAT && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR && type != Character.SURROGATE;
    }

    /** The rule {@code unit} breaks, or {@code null}. */
    static ContractRule check(String unit, int maxLength) {
        int length = unit.length();
        int utf8Length = 0;
        boolean invalid = false;
        for (int i = 0; i < length; i++) {
            char c = unit.charAt(i);
            if (c < 0x80) {
                utf8Length += 1;
                invalid |= !isAllowed(c);
            } else if (c < 0x800) {
                utf8Length += 2;
                invalid |= !isAllowed(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(unit.charAt(i + 1))) {
                utf8Length += 4;
                invalid |= !isAllowed(Character.toCodePoint(c, unit.charAt(i + 1)));
                i++;
            } else {
                utf8Length += 3;
                invalid |= Character.isSurrogate(c) || !isAllowed(c);
            }
        }
        if (utf8Length > maxLength) {
            return ContractRule.UNIT_TOO_LONG;
        }
        return invalid ? ContractRule.UNIT_INVALID : null;
    }

    /**
     * The rule the unit in {@code utf8[offset, offset + length)} breaks, or {@code null}; agrees with
     * {@link #check(String, int)} on the decoded unit. Malformed UTF-8 counts as {@link ContractRule#UNIT_INVALID}.
     */
    static ContractRule check(byte[] utf8, int offset, int length, int maxLength) {
        if (length > maxLength) {
            return ContractRule.UNIT_TOO_LONG;
        }
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int b = utf8[i] & 0xff;
            if (b < 0x80) { // the usual unit: ASCII
                if (b < 0x20 || b == 0x7f) {
                    return ContractRule.UNIT_INVALID;
                }
                i++;
                continue;
            }
            int codePoint;
            int size;
            if (b >= 0xc2 && b < 0xe0) {
                codePoint = b & 0x1f;
                size = 2;
            } else if (b >= 0xe0 && b < 0xf0) {
                codePoint = b & 0x0f;
                size = 3;
            } else if (b >= 0xf0 && b < 0xf5) {
                codePoint = b & 0x07;
                size = 4;
            } else {
                return ContractRule.UNIT_INVALID;
            }
            if (size > end - i) {
                return ContractRule.UNIT_INVALID;
            }
            for (int k = 1; k < size; k++) {
                int continuation = utf8[i + k] & 0xff;
                if ((continuation & 0xc0) != 0x80) {
                    return ContractRule.UNIT_INVALID;
                }
                codePoint = codePoint << 6 | continuation & 0x3f;
            }
            boolean overlong = size == 3 && codePoint < 0x800 || size == 4 && codePoint < 0x10000;
            if (overlong || codePoint > Character.MAX_CODE_POINT
                    || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)
                    || !isAllowed(codePoint)) {
                return ContractRule.UNIT_INVALID;
            }
            i += size;
        }
        return null;
    }

    /** What is wrong with {@code unit}, which breaks {@code rule}. */
    static String problem(ContractRule rule, String unit, int maxLength) {
        if (rule == ContractRule.UNIT_TOO_LONG) {
            return "unit '" + Texts.quote(unit) + "' exceeds the maximum of " + maxLength + " UTF-8 bytes";
        }
        int bad = 0;
        while (bad < unit.length()) {
            int codePoint = unit.codePointAt(bad);
            if (Character.isSurrogate(unit.charAt(bad)) && Character.charCount(codePoint) == 1
                    || !isAllowed(codePoint)) {
                break;
            }
            bad += Character.charCount(codePoint);
        }
        int shown = bad < unit.length() ? unit.codePointAt(bad) : 0;
        return "unit '" + Texts.quote(unit) + "' holds " + Texts.describeCharacter(shown)
                + " (no control, format or line-separator characters)";
    }
}
