package io.tributary.localstack.influx;

/**
 * Maps the InfluxDB v2 write API's {@code precision} to the 1.x {@code /write} API's. The trap: 1.x spells microseconds
 * {@code u} and silently reads an unknown {@code us} as nanoseconds, shifting every timestamp by a factor of 1000.
 */
public final class PrecisionMapping {
    private PrecisionMapping() {
    }

    /**
     * @param v2Precision {@code ns}, {@code us}, {@code ms} or {@code s}; {@code null} or empty means {@code ns}
     * @return the 1.x precision: {@code n}, {@code u}, {@code ms} or {@code s}
     * @throws IllegalArgumentException for any other value
     */
    public static String toV1(String v2Precision) {
        if (v2Precision == null || v2Precision.isEmpty()) {
            return "n";
        }
        return switch (v2Precision) {
            case "ns" -> "n";
            case "us" -> "u";
            case "ms" -> "ms";
            case "s" -> "s";
            default -> throw new IllegalArgumentException(
                    "invalid precision \"" + v2Precision + "\": must be one of ns, us, ms, s");
        };
    }
}
