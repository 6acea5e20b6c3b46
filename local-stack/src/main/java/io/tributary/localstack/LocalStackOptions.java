package io.tributary.localstack;

import java.nio.file.Path;

/**
 * What {@link LocalStack#start(LocalStackOptions)} starts.
 *
 * @param dataDir      where Kafka's and influxd's data live; {@code null} = a fresh temp dir, removed at close (and by
 *                     the process guardian if the JVM dies); a given dir is created if missing and kept
 * @param startKafka   start the in-JVM Kafka broker
 * @param startInflux  start influxd and the v2 write endpoint
 * @param influxBucket the database/bucket created at start
 */
public record LocalStackOptions(Path dataDir, boolean startKafka, boolean startInflux, String influxBucket) {
    public static final String DEFAULT_BUCKET = "telemetry";

    public LocalStackOptions {
        if (influxBucket == null || influxBucket.isBlank()) {
            throw new IllegalArgumentException("influxBucket must not be blank");
        }
        if (startInflux && influxBucket.indexOf('/') >= 0) {
            // The v2 endpoint reads "db/rp" as database + retention policy: the created database can't have a '/'.
            throw new IllegalArgumentException("influxBucket must not contain '/', got: " + influxBucket);
        }
        if (!startKafka && !startInflux) {
            throw new IllegalArgumentException("startKafka and startInflux are both false: nothing to start");
        }
    }

    /** Temp dir, Kafka and InfluxDB, bucket {@code telemetry}. */
    public static LocalStackOptions defaults() {
        return new LocalStackOptions(null, true, true, DEFAULT_BUCKET);
    }

    public LocalStackOptions withDataDir(Path dir) {
        return new LocalStackOptions(dir, startKafka, startInflux, influxBucket);
    }

    public LocalStackOptions withStartKafka(boolean start) {
        return new LocalStackOptions(dataDir, start, startInflux, influxBucket);
    }

    public LocalStackOptions withStartInflux(boolean start) {
        return new LocalStackOptions(dataDir, startKafka, start, influxBucket);
    }

    public LocalStackOptions withInfluxBucket(String bucket) {
        return new LocalStackOptions(dataDir, startKafka, startInflux, bucket);
    }

    /** Kafka only. */
    public LocalStackOptions withoutInflux() {
        return withStartInflux(false);
    }

    /** InfluxDB only. */
    public LocalStackOptions withoutKafka() {
        return withStartKafka(false);
    }
}
