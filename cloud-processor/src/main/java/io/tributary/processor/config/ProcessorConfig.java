package io.tributary.processor.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import io.tributary.contract.InputContract;

/**
 * The cloud processor's typed, validated configuration. Every value is checked once, here; an invalid value fails with a
 * message naming the option it came from.
 *
 * <p>The first eight components are the ones every deployment sets; the rest have production defaults (see
 * {@link #defaults()}) and are tuned through the {@code with...} methods.
 *
 * @param kafkaBootstrapServers Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param topicPrefix prefix of every Kafka topic (default {@code tributary.}); may be empty
 * @param consumerGroup the readings writer's Kafka consumer group
 * @param influxUrl base URL of an InfluxDB that serves the v2 write API ({@code /api/v2/write}: 1.8+, 2.x, 3.x)
 * @param influxToken the InfluxDB API token; empty for an InfluxDB without authentication
 * @param influxOrg the InfluxDB organization (ignored by 1.8, which still needs a non-empty value)
 * @param influxBucket the InfluxDB bucket (on 1.x: {@code database} or {@code database/retention-policy})
 * @param maxPointsPerWrite the most points sent in one InfluxDB write request
 * @param pollTimeout the longest one Kafka poll waits for records
 * @param retryBackoffInitial the wait before the first retry of a failed write; doubles with each failure
 * @param retryBackoffMax the cap of the retry wait
 * @param influxRequestTimeout connect, read and write timeout of one InfluxDB request
 * @param closeTimeout how long {@code close()} waits for the writer to stop and release its clients
 * @param consumerOverrides extra Kafka consumer properties, applied last (except the delivery-critical ones)
 * @param producerOverrides extra Kafka producer properties for the dead-letter producer, applied last
 * @param analytics the Kafka Streams part (rollups, alerts), the webhook and the operations endpoint
 * @param inputContract the input contract the processor re-checks on every telemetry record (the gateway's options:
 *        {@code --max-event-age}, {@code --max-event-future}, ...); a record that breaks it is dead-lettered whole
 */
public record ProcessorConfig(
        String kafkaBootstrapServers,
        String topicPrefix,
        String consumerGroup,
        String influxUrl,
        String influxToken,
        String influxOrg,
        String influxBucket,
        int maxPointsPerWrite,
        Duration pollTimeout,
        Duration retryBackoffInitial,
        Duration retryBackoffMax,
        Duration influxRequestTimeout,
        Duration closeTimeout,
        Map<String, String> consumerOverrides,
        Map<String, String> producerOverrides,
        AnalyticsConfig analytics,
        InputContract inputContract) {

    public static final String DEFAULT_KAFKA_BOOTSTRAP_SERVERS = "localhost:9092";
    public static final String DEFAULT_TOPIC_PREFIX = "tributary.";
    public static final String DEFAULT_CONSUMER_GROUP = "tributary-influx-writer";
    public static final String DEFAULT_INFLUX_URL = "http://localhost:8086";
    public static final String DEFAULT_INFLUX_TOKEN = "";
    public static final String DEFAULT_INFLUX_ORG = "tributary";
    public static final String DEFAULT_INFLUX_BUCKET = "telemetry";
    public static final int DEFAULT_MAX_POINTS_PER_WRITE = 5_000;
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(500);
    public static final Duration DEFAULT_RETRY_BACKOFF_INITIAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(10);
    public static final Duration DEFAULT_INFLUX_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(15);

    /** Upper bound of {@link #maxPointsPerWrite()}: InfluxDB's own request size limits make more pointless. */
    public static final int MAX_POINTS_PER_WRITE_LIMIT = 1_000_000;

    public ProcessorConfig {
        kafkaBootstrapServers = requireNonBlank(kafkaBootstrapServers, "kafka-bootstrap");
        for (String server : kafkaBootstrapServers.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1 || !isPort(s.substring(colon + 1))) {
                throw new IllegalArgumentException(
                        "kafka-bootstrap: expected host:port[,host:port...], got '" + kafkaBootstrapServers + "'");
            }
        }
        Objects.requireNonNull(topicPrefix, "topic-prefix must not be null");
        if (!topicPrefix.matches("[a-zA-Z0-9._-]*")) {
            throw new IllegalArgumentException(
                    "topic-prefix: only letters, digits, '.', '_' and '-' are allowed in Kafka topic names, got '"
                            + topicPrefix + "'");
        }
        consumerGroup = requireNonBlank(consumerGroup, "group");
        influxUrl = requireNonBlank(influxUrl, "influx-url");
        validateHttpUrl(influxUrl);
        Objects.requireNonNull(influxToken, "influx-token must not be null (use an empty string for no token)");
        influxOrg = requireNonBlank(influxOrg, "influx-org");
        influxBucket = requireNonBlank(influxBucket, "influx-bucket");
        if (maxPointsPerWrite < 1 || maxPointsPerWrite > MAX_POINTS_PER_WRITE_LIMIT) {
            throw new IllegalArgumentException("max-points-per-write: must be between 1 and "
                    + MAX_POINTS_PER_WRITE_LIMIT + ", got " + maxPointsPerWrite);
        }
        requirePositive(pollTimeout, "poll-timeout");
        requirePositive(retryBackoffInitial, "retry-backoff-initial");
        requirePositive(retryBackoffMax, "retry-backoff-max");
        if (retryBackoffMax.compareTo(retryBackoffInitial) < 0) {
            throw new IllegalArgumentException("retry-backoff-max: must not be below retry-backoff-initial ("
                    + retryBackoffInitial + "), got " + retryBackoffMax);
        }
        requirePositive(influxRequestTimeout, "influx-request-timeout");
        requirePositive(closeTimeout, "close-timeout");
        consumerOverrides = Map.copyOf(Objects.requireNonNull(consumerOverrides, "consumer-overrides"));
        producerOverrides = Map.copyOf(Objects.requireNonNull(producerOverrides, "producer-overrides"));
        Objects.requireNonNull(analytics, "analytics");
        Objects.requireNonNull(inputContract, "input contract (max-event-age, ...)");
    }

    /** All settings but the input contract, which takes {@link InputContract#DEFAULTS}. */
    public ProcessorConfig(String kafkaBootstrapServers, String topicPrefix, String consumerGroup, String influxUrl,
            String influxToken, String influxOrg, String influxBucket, int maxPointsPerWrite, Duration pollTimeout,
            Duration retryBackoffInitial, Duration retryBackoffMax, Duration influxRequestTimeout,
            Duration closeTimeout, Map<String, String> consumerOverrides, Map<String, String> producerOverrides,
            AnalyticsConfig analytics) {
        this(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken, influxOrg, influxBucket,
                maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax, influxRequestTimeout,
                closeTimeout, consumerOverrides, producerOverrides, analytics, InputContract.DEFAULTS);
    }

    /** The fifteen writer settings; the Streams part takes {@link AnalyticsConfig#defaults()}. */
    public ProcessorConfig(String kafkaBootstrapServers, String topicPrefix, String consumerGroup, String influxUrl,
            String influxToken, String influxOrg, String influxBucket, int maxPointsPerWrite, Duration pollTimeout,
            Duration retryBackoffInitial, Duration retryBackoffMax, Duration influxRequestTimeout,
            Duration closeTimeout, Map<String, String> consumerOverrides, Map<String, String> producerOverrides) {
        this(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken, influxOrg, influxBucket,
                maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax, influxRequestTimeout,
                closeTimeout, consumerOverrides, producerOverrides, AnalyticsConfig.defaults());
    }

    /** The eight settings every deployment sets; everything else takes its default. */
    public ProcessorConfig(String kafkaBootstrapServers, String topicPrefix, String consumerGroup, String influxUrl,
            String influxToken, String influxOrg, String influxBucket, int maxPointsPerWrite) {
        this(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken, influxOrg, influxBucket,
                maxPointsPerWrite, DEFAULT_POLL_TIMEOUT, DEFAULT_RETRY_BACKOFF_INITIAL, DEFAULT_RETRY_BACKOFF_MAX,
                DEFAULT_INFLUX_REQUEST_TIMEOUT, DEFAULT_CLOSE_TIMEOUT, Map.of(), Map.of());
    }

    /** All defaults: Kafka on localhost:9092, InfluxDB on localhost:8086, bucket {@code telemetry}. */
    public static ProcessorConfig defaults() {
        return new ProcessorConfig(DEFAULT_KAFKA_BOOTSTRAP_SERVERS, DEFAULT_TOPIC_PREFIX, DEFAULT_CONSUMER_GROUP,
                DEFAULT_INFLUX_URL, DEFAULT_INFLUX_TOKEN, DEFAULT_INFLUX_ORG, DEFAULT_INFLUX_BUCKET,
                DEFAULT_MAX_POINTS_PER_WRITE);
    }

    /** The topic the gateway produces reading batches to. */
    public String telemetryTopic() {
        return topicPrefix + "telemetry";
    }

    /** The topic rejected records go to, with the reason in their headers. */
    public String deadLetterTopic() {
        return topicPrefix + "deadletter";
    }

    public ProcessorConfig withKafkaBootstrapServers(String servers) {
        return new ProcessorConfig(servers, topicPrefix, consumerGroup, influxUrl, influxToken, influxOrg,
                influxBucket, maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax,
                influxRequestTimeout, closeTimeout, consumerOverrides, producerOverrides, analytics, inputContract);
    }

    public ProcessorConfig withTopicPrefix(String prefix) {
        return new ProcessorConfig(kafkaBootstrapServers, prefix, consumerGroup, influxUrl, influxToken, influxOrg,
                influxBucket, maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax,
                influxRequestTimeout, closeTimeout, consumerOverrides, producerOverrides, analytics, inputContract);
    }

    public ProcessorConfig withConsumerGroup(String group) {
        return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, group, influxUrl, influxToken, influxOrg,
                influxBucket, maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax,
                influxRequestTimeout, closeTimeout, consumerOverrides, producerOverrides, analytics, inputContract);
    }

    public ProcessorConfig withInflux(String url, String token, String org, String bucket) {
        return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, url, token, org, bucket,
                maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax, influxRequestTimeout,
                closeTimeout, consumerOverrides, producerOverrides, analytics, inputContract);
    }

    public ProcessorConfig withMaxPointsPerWrite(int maxPoints) {
        return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken,
                influxOrg, influxBucket, maxPoints, pollTimeout, retryBackoffInitial, retryBackoffMax,
                influxRequestTimeout, closeTimeout, consumerOverrides, producerOverrides, analytics, inputContract);
    }

    public ProcessorConfig withPollTimeout(Duration timeout) {
        return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken,
                influxOrg, influxBucket, maxPointsPerWrite, timeout, retryBackoffInitial, retryBackoffMax,
                influxRequestTimeout, closeTimeout, consumerOverrides, producerOverrides, analytics, inputContract);
    }

    public ProcessorConfig withRetryBackoff(Duration initial, Duration max) {
        return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken,
                influxOrg, influxBucket, maxPointsPerWrite, pollTimeout, initial, max, influxRequestTimeout,
                closeTimeout, consumerOverrides, producerOverrides, analytics, inputContract);
    }

    public ProcessorConfig withInfluxRequestTimeout(Duration timeout) {
        return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken,
                influxOrg, influxBucket, maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax,
                timeout, closeTimeout, consumerOverrides, producerOverrides, analytics, inputContract);
    }

    public ProcessorConfig withCloseTimeout(Duration timeout) {
        return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken,
                influxOrg, influxBucket, maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax,
                influxRequestTimeout, timeout, consumerOverrides, producerOverrides, analytics, inputContract);
    }

    public ProcessorConfig withConsumerOverrides(Map<String, String> overrides) {
        return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken,
                influxOrg, influxBucket, maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax,
                influxRequestTimeout, closeTimeout, overrides, producerOverrides, analytics, inputContract);
    }

    public ProcessorConfig withProducerOverrides(Map<String, String> overrides) {
        return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken,
                influxOrg, influxBucket, maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax,
                influxRequestTimeout, closeTimeout, consumerOverrides, overrides, analytics, inputContract);
    }

    public ProcessorConfig withAnalytics(AnalyticsConfig settings) {
        return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken,
                influxOrg, influxBucket, maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax,
                influxRequestTimeout, closeTimeout, consumerOverrides, producerOverrides, settings, inputContract);
    }

    public ProcessorConfig withInputContract(InputContract contract) {
        return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken,
                influxOrg, influxBucket, maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax,
                influxRequestTimeout, closeTimeout, consumerOverrides, producerOverrides, analytics, contract);
    }

    /** The topic the rollups are emitted to. */
    public String rollupsTopic() {
        return topicPrefix + "rollups";
    }

    /** The topic alert transitions are emitted to. */
    public String alertsTopic() {
        return topicPrefix + "alerts";
    }

    /** Keeps the token out of logs. */
    @Override
    public String toString() {
        return "ProcessorConfig[kafkaBootstrapServers=" + kafkaBootstrapServers + ", topicPrefix=" + topicPrefix
                + ", consumerGroup=" + consumerGroup + ", influxUrl=" + influxUrl + ", influxToken="
                + (influxToken.isEmpty() ? "(none)" : "(set)") + ", influxOrg=" + influxOrg + ", influxBucket="
                + influxBucket + ", maxPointsPerWrite=" + maxPointsPerWrite + ", pollTimeout=" + pollTimeout
                + ", retryBackoff=" + retryBackoffInitial + ".." + retryBackoffMax + ", influxRequestTimeout="
                + influxRequestTimeout + ", closeTimeout=" + closeTimeout + ", consumerOverrides=" + consumerOverrides
                + ", producerOverrides=" + producerOverrides.keySet() + ", analytics=" + analytics + ", inputContract=" + inputContract + "]";
    }

    private static String requireNonBlank(String value, String option) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(option + ": must not be empty");
        }
        return value.trim();
    }

    private static void requirePositive(Duration value, String option) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(option + ": must be a positive duration, got " + value);
        }
    }

    private static boolean isPort(String s) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int port = Integer.parseInt(s);
        return port > 0 && port <= 65_535;
    }

    private static void validateHttpUrl(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("influx-url: expected http(s)://host[:port][/path], got '" + url
                        + "'");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("influx-url: not a valid URL: '" + url + "' (" + e.getMessage() + ")",
                    e);
        }
    }
}
