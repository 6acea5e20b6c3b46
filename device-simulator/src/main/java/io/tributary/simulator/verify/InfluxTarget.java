package io.tributary.simulator.verify;

import java.util.Objects;

/**
 * Where the pipeline stores readings: any InfluxDB that serves the v2 API and InfluxQL (1.8+, 2.x, 3.x, or the local
 * stack's endpoint in front of 1.6). For InfluxQL, the bucket is the database name (2.x needs a DBRP mapping).
 */
public record InfluxTarget(String url, String token, String org, String bucket) {

    public InfluxTarget {
        Objects.requireNonNull(url, "influx-url");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("influx-url must start with http:// or https://, got '" + url + "'");
        }
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("influx-bucket must not be empty");
        }
        token = token == null ? "" : token;
        org = org == null ? "" : org;
    }

    /** The token shown as {@code ***}: this record ends up in logs and error messages. */
    @Override
    public String toString() {
        return "InfluxTarget[url=" + url + ", token=" + (token.isEmpty() ? "\"\"" : "***") + ", org=" + org
                + ", bucket=" + bucket + "]";
    }
}
