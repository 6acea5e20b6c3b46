package io.tributary.contract;

/** The sensor-name rules of {@link InputContract}, on text and on raw UTF-8 bytes; their messages. */
final class SensorNames {

    /** {@link #isAllowed} of every ASCII code, for the checks on raw bytes. */
    private static final boolean[] ALLOWED_ASCII = new boolean[128];

    static {
        for (int c = 0; c < ALLOWED_ASCII.length; c++) {
            ALLOWED_ASCII[c] = isAllowed(c);
        }
    }

    private SensorNames() {
    }

    /** Whether {@code c} may appear in a sensor name: ASCII letters, digits and {@code ._-:/}. */
    static boolean isAllowed(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-' || c == ':' || c == '/';
    }

    /** The rule {@code sensor} breaks, or {@code null}. */
    static ContractRule check(CharSequence sensor, int maxLength) {
        int length = sensor.length();
        if (length == 0) {
            return ContractRule.SENSOR_NAME_EMPTY;
        }
        for (int i = 0; i < length; i++) {
            if (!isAllowed(sensor.charAt(i))) {
                return ContractRule.SENSOR_NAME_INVALID;
            }
        }
        return length > maxLength ? ContractRule.SENSOR_NAME_TOO_LONG : null;
    }

    /** The rule the name in {@code utf8[offset, offset + length)} breaks, or {@code null}. */
    static ContractRule check(byte[] utf8, int offset, int length, int maxLength) {
        if (length == 0) {
            return ContractRule.SENSOR_NAME_EMPTY;
        }
        for (int i = offset; i < offset + length; i++) {
            // a byte >= 0x80 is negative: part of a non-ASCII character, which is never allowed
            byte b = utf8[i];
            if (b < 0 || !ALLOWED_ASCII[b]) {
                return ContractRule.SENSOR_NAME_INVALID;
            }
        }
        return length > maxLength ? ContractRule.SENSOR_NAME_TOO_LONG : null;
    }

    /** What is wrong with {@code sensor}, which breaks {@code rule}. */
    static String problem(ContractRule rule, String sensor, int maxLength) {
        return switch (rule) {
            case SENSOR_NAME_EMPTY -> "sensor name is empty";
            case SENSOR_NAME_TOO_LONG -> "sensor name of " + sensor.length() + " characters exceeds the maximum of "
                    + maxLength;
            default -> {
                int bad = 0;
                while (bad < sensor.length() && isAllowed(sensor.charAt(bad))) {
                    bad++;
                }
                yield "sensor name holds " + Texts.describeCharacter(sensor.codePointAt(bad)) + " at " + bad
                        + "; allowed are " + InputContract.SENSOR_NAME_CHARACTERS;
            }
        };
    }
}
