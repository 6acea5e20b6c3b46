package io.tributary.processor.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import io.tributary.common.KafkaClientConfig;
import io.tributary.contract.Topics;
import io.tributary.contract.InputContract;

/**
 * The cloud processor's typed, validated configuration. Every value is checked once, here; an invalid value fails with a
 * message naming the option it came from.
 *
 * <p>The first eight components are the ones every deployment sets; the rest have production defaults (see
 * {@link #defaults()}) and are tuned through the {@link Builder}; the canonical constructor validates every value.
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
 * @param kafkaProperties properties of every Kafka client (security, sasl, ssl) from {@code --kafka-config},
 *        {@code TRIBUTARY_KAFKA_*} and {@code --kafka-property}; what the processor sets itself keeps its value
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
        Map<String, String> kafkaProperties,
        AnalyticsConfig analytics,
        InputContract inputContract) {

    public static final String DEFAULT_KAFKA_BOOTSTRAP_SERVERS = "localhost:9092";
    public static final String DEFAULT_TOPIC_PREFIX = Topics.DEFAULT_PREFIX;
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
        try {
            new Topics(topicPrefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("topic-prefix: " + e.getMessage(), e);
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
        kafkaProperties = new KafkaClientConfig(kafkaBootstrapServers, kafkaProperties).properties();
        Objects.requireNonNull(analytics, "analytics");
        Objects.requireNonNull(inputContract, "input contract (max-event-age, ...)");
    }

    /** All defaults: Kafka on localhost:9092, InfluxDB on localhost:8086, bucket {@code telemetry}. */
    public static ProcessorConfig defaults() {
        return builder().build();
    }

    /** A builder starting from every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Every topic name, from {@link #topicPrefix()}. */
    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /** The topic the gateway produces reading batches to. */
    public String telemetryTopic() {
        return topics().telemetry();
    }

    /** The topic rejected records go to, with the reason in their headers. */
    public String deadLetterTopic() {
        return topics().deadLetter();
    }

    /** The topic the rollups are emitted to. */
    public String rollupsTopic() {
        return topics().rollups();
    }

    /** The topic alert transitions are emitted to. */
    public String alertsTopic() {
        return topics().alerts();
    }

    /** Bootstrap servers and client properties, for building any Kafka client. */
    public KafkaClientConfig kafkaClient() {
        return new KafkaClientConfig(kafkaBootstrapServers, kafkaProperties);
    }

    /** Keeps the token and the Kafka secrets out of logs. */
    @Override
    public String toString() {
        return "ProcessorConfig[kafkaBootstrapServers=" + kafkaBootstrapServers + ", topicPrefix=" + topicPrefix
                + ", consumerGroup=" + consumerGroup + ", influxUrl=" + influxUrl + ", influxToken="
                + (influxToken.isEmpty() ? "(none)" : "(set)") + ", influxOrg=" + influxOrg + ", influxBucket="
                + influxBucket + ", maxPointsPerWrite=" + maxPointsPerWrite + ", pollTimeout=" + pollTimeout
                + ", retryBackoff=" + retryBackoffInitial + ".." + retryBackoffMax + ", influxRequestTimeout="
                + influxRequestTimeout + ", closeTimeout=" + closeTimeout + ", consumerOverrides=" + consumerOverrides
                + ", producerOverrides=" + producerOverrides.keySet() + ", kafkaProperties="
                + KafkaClientConfig.redact(kafkaProperties) + ", analytics=" + analytics + ", inputContract=" + inputContract + "]";
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

    /** Collects the settings; {@link #build()} validates them all through the canonical constructor. */
    public static final class Builder {
        private String kafkaBootstrapServers = DEFAULT_KAFKA_BOOTSTRAP_SERVERS;
        private String topicPrefix = DEFAULT_TOPIC_PREFIX;
        private String consumerGroup = DEFAULT_CONSUMER_GROUP;
        private String influxUrl = DEFAULT_INFLUX_URL;
        private String influxToken = DEFAULT_INFLUX_TOKEN;
        private String influxOrg = DEFAULT_INFLUX_ORG;
        private String influxBucket = DEFAULT_INFLUX_BUCKET;
        private int maxPointsPerWrite = DEFAULT_MAX_POINTS_PER_WRITE;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private Duration retryBackoffInitial = DEFAULT_RETRY_BACKOFF_INITIAL;
        private Duration retryBackoffMax = DEFAULT_RETRY_BACKOFF_MAX;
        private Duration influxRequestTimeout = DEFAULT_INFLUX_REQUEST_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private Map<String, String> consumerOverrides = Map.of();
        private Map<String, String> producerOverrides = Map.of();
        private Map<String, String> kafkaProperties = Map.of();
        private AnalyticsConfig analytics = AnalyticsConfig.defaults();
        private InputContract inputContract = InputContract.DEFAULTS;

        private Builder() {
        }

        private Builder(ProcessorConfig c) {
            kafkaBootstrapServers = c.kafkaBootstrapServers;
            topicPrefix = c.topicPrefix;
            consumerGroup = c.consumerGroup;
            influxUrl = c.influxUrl;
            influxToken = c.influxToken;
            influxOrg = c.influxOrg;
            influxBucket = c.influxBucket;
            maxPointsPerWrite = c.maxPointsPerWrite;
            pollTimeout = c.pollTimeout;
            retryBackoffInitial = c.retryBackoffInitial;
            retryBackoffMax = c.retryBackoffMax;
            influxRequestTimeout = c.influxRequestTimeout;
            closeTimeout = c.closeTimeout;
            consumerOverrides = c.consumerOverrides;
            producerOverrides = c.producerOverrides;
            kafkaProperties = c.kafkaProperties;
            analytics = c.analytics;
            inputContract = c.inputContract;
        }

        public Builder kafkaBootstrapServers(String servers) {
            this.kafkaBootstrapServers = servers;
            return this;
        }

        public Builder topicPrefix(String prefix) {
            this.topicPrefix = prefix;
            return this;
        }

        public Builder consumerGroup(String group) {
            this.consumerGroup = group;
            return this;
        }

        /** Where and as whom the writers store: URL, token ("" for none), organization and bucket. */
        public Builder influx(String url, String token, String org, String bucket) {
            this.influxUrl = url;
            this.influxToken = token;
            this.influxOrg = org;
            this.influxBucket = bucket;
            return this;
        }

        public Builder maxPointsPerWrite(int maxPoints) {
            this.maxPointsPerWrite = maxPoints;
            return this;
        }

        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = timeout;
            return this;
        }

        public Builder retryBackoff(Duration initial, Duration max) {
            this.retryBackoffInitial = initial;
            this.retryBackoffMax = max;
            return this;
        }

        public Builder influxRequestTimeout(Duration timeout) {
            this.influxRequestTimeout = timeout;
            return this;
        }

        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        public Builder consumerOverrides(Map<String, String> overrides) {
            this.consumerOverrides = overrides;
            return this;
        }

        public Builder producerOverrides(Map<String, String> overrides) {
            this.producerOverrides = overrides;
            return this;
        }

        public Builder kafkaProperties(Map<String, String> properties) {
            this.kafkaProperties = properties;
            return this;
        }

        public Builder analytics(AnalyticsConfig settings) {
            this.analytics = settings;
            return this;
        }

        public Builder inputContract(InputContract contract) {
            this.inputContract = contract;
            return this;
        }

        /** @throws IllegalArgumentException naming the option of the first invalid value */
        public ProcessorConfig build() {
            return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken,
                    influxOrg, influxBucket, maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax,
                    influxRequestTimeout, closeTimeout, consumerOverrides, producerOverrides, kafkaProperties,
                    analytics, inputContract);
        }
    }
}
