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
 * @param kafkaBrokers 1 = one broker in this JVM; more = a {@link io.tributary.localstack.kafka.KafkaCluster} of
 *                     broker processes
 */
public record LocalStackOptions(Path dataDir, boolean startKafka, boolean startInflux, String influxBucket,
        int kafkaBrokers) {
    public static final String DEFAULT_BUCKET = "telemetry";

    public LocalStackOptions {
        if (kafkaBrokers < 1) {
            throw new IllegalArgumentException("kafkaBrokers must be >= 1, got " + kafkaBrokers);
        }
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

    /** One Kafka broker, in this JVM. */
    public LocalStackOptions(Path dataDir, boolean startKafka, boolean startInflux, String influxBucket) {
        this(dataDir, startKafka, startInflux, influxBucket, 1);
    }

    /** Temp dir, Kafka and InfluxDB, bucket {@code telemetry}. */
    public static LocalStackOptions defaults() {
        return new LocalStackOptions(null, true, true, DEFAULT_BUCKET);
    }

    public LocalStackOptions withDataDir(Path dir) {
        return new LocalStackOptions(dir, startKafka, startInflux, influxBucket, kafkaBrokers);
    }

    public LocalStackOptions withStartKafka(boolean start) {
        return new LocalStackOptions(dataDir, start, startInflux, influxBucket, kafkaBrokers);
    }

    public LocalStackOptions withStartInflux(boolean start) {
        return new LocalStackOptions(dataDir, startKafka, start, influxBucket, kafkaBrokers);
    }

    public LocalStackOptions withInfluxBucket(String bucket) {
        return new LocalStackOptions(dataDir, startKafka, startInflux, bucket, kafkaBrokers);
    }

    /** {@code brokers} Kafka brokers: more than one are separate processes (a {@code KafkaCluster}). */
    public LocalStackOptions withKafkaBrokers(int brokers) {
        return new LocalStackOptions(dataDir, startKafka, startInflux, influxBucket, brokers);
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
