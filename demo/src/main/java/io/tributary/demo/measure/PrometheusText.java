package io.tributary.demo.measure;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The samples of one Prometheus text exposition (version 0.0.4), keyed by series: the metric name with its label
 * block exactly as exposed, e.g. {@code tributary_processor_consumer_lag_records{consumer="readings"}}.
 */
public record PrometheusText(Map<String, Double> series) {

    /** Parses an exposition; comment lines, blank lines and lines without a parseable value are skipped. */
    public static PrometheusText parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            // The label block may contain spaces inside quoted values: the value starts after the closing brace.
            int labelsEnd = line.lastIndexOf('}');
            int valueStart = line.indexOf(' ', labelsEnd < 0 ? 0 : labelsEnd);
            if (valueStart < 0) {
                continue;
            }
            String id = line.substring(0, valueStart);
            String[] rest = line.substring(valueStart + 1).strip().split("\\s+");
            Double value = parseValue(rest[0]);
            if (value != null) {
                series.put(id, value);
            }
        }
        return new PrometheusText(series);
    }

    /** Java's number grammar plus the exposition's {@code +Inf} / {@code -Inf}; null for anything else. */
    private static Double parseValue(String text) {
        try {
            return Double.parseDouble(text.endsWith("Inf") ? text + "inity" : text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The value of one series (name plus label block as exposed); NaN if absent. */
    public double value(String seriesId) {
        return series.getOrDefault(seriesId, Double.NaN);
    }

    /** The sum over every series of metric {@code name} (all label combinations); NaN if there is none. */
    public double sum(String name) {
        return series.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .mapToDouble(Map.Entry::getValue).reduce(Double::sum).orElse(Double.NaN);
    }

    int size() {
        return series.size();
    }
}
