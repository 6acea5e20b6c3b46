package io.tributary.processor.ops;

import java.util.Locale;

/** Builds a Prometheus text-format page (0.0.4): HELP/TYPE once per family, then samples. */
public final class PrometheusText {

    private final StringBuilder out = new StringBuilder(4096);
    private String family;

    /** Starts a metric family. */
    public PrometheusText family(String name, String type, String help) {
        family = name;
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** A sample of the current family; labels as alternating name, value. */
    public PrometheusText sample(double value, String... labels) {
        return sample(family, value, labels);
    }

    /** A sample with its own name (e.g. {@code _sum}, {@code _count} of a summary). */
    public PrometheusText sample(String name, double value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(format(value)).append('\n');
        return this;
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.6g", v);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
