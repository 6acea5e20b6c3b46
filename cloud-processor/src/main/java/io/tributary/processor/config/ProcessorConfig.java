package io.tributary.processor.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.tributary.common.KafkaClientConfig;
import io.tributary.contract.Topics;
import io.tributary.contract.InputContract;
import io.tributary.processor.enrich.Labels;

/**
 * The cloud processor's typed, validated configuration. Every value is checked once, here; an invalid value fails with a
 * message naming the option it came from. Deployments set the Kafka and InfluxDB parts; the rest have production
 * defaults (the {@link Builder}'s).
 *
 * @param topicPrefix prefix of every Kafka topic (default {@code tributary.}); may be empty
 * @param influxUrl base URL of an InfluxDB that serves the v2 write API ({@code /api/v2/write}: 1.8+, 2.x, 3.x)
 * @param influxToken the InfluxDB API token; empty for an InfluxDB without authentication
 * @param influxOrg the InfluxDB organization (ignored by 1.8, which still needs a non-empty value)
 * @param influxBucket the InfluxDB bucket (on 1.x: {@code database} or {@code database/retention-policy})
 * @param retryBackoffInitial the wait before the first retry of a failed write; doubles with each failure
 * @param influxRequestTimeout connect, read and write timeout of one InfluxDB request
 * @param closeTimeout how long {@code close()} waits for the writer to stop and release its clients
 * @param consumerOverrides extra Kafka consumer properties, applied last (except the delivery-critical ones)
 * @param kafkaProperties properties of every Kafka client (security, sasl, ssl) from {@code --kafka-config},
 *        {@code TRIBUTARY_KAFKA_*} and {@code --kafka-property}; what the processor sets itself keeps its value
 * @param inputContract the input contract the processor re-checks on every telemetry record (the gateway's options:
 *        {@code --max-event-age}, {@code --max-event-future}, ...); a record that breaks it is dead-lettered whole
 * @param enrichmentTags the device labels that become InfluxDB tags of readings, rollups and alerts (at most
 *        {@value Labels#MAX_TAGS}); empty (the default) = no label tags, series cardinality unchanged
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
        Map<String, String> kafkaProperties,
        AnalyticsConfig analytics,
        InputContract inputContract,
        List<String> enrichmentTags) {

    public static final String DEFAULT_KAFKA_BOOTSTRAP_SERVERS = "localhost:9092";
    public static final String DEFAULT_CONSUMER_GROUP = "tributary-influx-writer";
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(500);
    public static final Duration DEFAULT_RETRY_BACKOFF_INITIAL = Duration.ofMillis(100);

    /** Upper bound of {@link #maxPointsPerWrite()}: InfluxDB's own request size limits make more pointless. */
    public static final int MAX_POINTS_PER_WRITE_LIMIT = 1_000_000;

    public ProcessorConfig {
        kafkaBootstrapServers = Require.nonBlank(kafkaBootstrapServers, "kafka-bootstrap");
        for (String server : kafkaBootstrapServers.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            String port = s.substring(colon + 1);
            if (colon <= 0 || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1
                    || Integer.parseInt(port) > 65_535) {
                throw new IllegalArgumentException(
                        "kafka-bootstrap: expected host:port[,host:port...], got '" + kafkaBootstrapServers + "'");
            }
        }
        Objects.requireNonNull(topicPrefix, "topic-prefix must not be null");
        try {
            new Topics(topicPrefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("topic-prefix: " + e.getMessage(), e);
        }
        consumerGroup = Require.nonBlank(consumerGroup, "group");
        influxUrl = Require.nonBlank(influxUrl, "influx-url");
        Require.httpUrl(influxUrl, "influx-url");
        Objects.requireNonNull(influxToken, "influx-token must not be null (use an empty string for no token)");
        influxOrg = Require.nonBlank(influxOrg, "influx-org");
        influxBucket = Require.nonBlank(influxBucket, "influx-bucket");
        Require.between(maxPointsPerWrite, 1, MAX_POINTS_PER_WRITE_LIMIT, "max-points-per-write");
        Require.positive(pollTimeout, "poll-timeout");
        Require.positive(retryBackoffInitial, "retry-backoff-initial");
        Require.positive(retryBackoffMax, "retry-backoff-max");
        if (retryBackoffMax.compareTo(retryBackoffInitial) < 0) {
            throw new IllegalArgumentException("retry-backoff-max: must not be below retry-backoff-initial ("
                    + retryBackoffInitial + "), got " + retryBackoffMax);
        }
        Require.positive(influxRequestTimeout, "influx-request-timeout");
        Require.positive(closeTimeout, "close-timeout");
        consumerOverrides = Map.copyOf(Objects.requireNonNull(consumerOverrides, "consumer-overrides"));
        kafkaProperties = new KafkaClientConfig(kafkaBootstrapServers, kafkaProperties).properties();
        Objects.requireNonNull(analytics, "analytics");
        Objects.requireNonNull(inputContract, "input contract (max-event-age, ...)");
        enrichmentTags = Labels.checkTagKeys(enrichmentTags);
    }

    public static ProcessorConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().kafkaBootstrapServers(kafkaBootstrapServers).topicPrefix(topicPrefix)
                .consumerGroup(consumerGroup).influx(influxUrl, influxToken, influxOrg, influxBucket)
                .maxPointsPerWrite(maxPointsPerWrite).pollTimeout(pollTimeout)
                .retryBackoff(retryBackoffInitial, retryBackoffMax).influxRequestTimeout(influxRequestTimeout)
                .closeTimeout(closeTimeout).consumerOverrides(consumerOverrides).kafkaProperties(kafkaProperties)
                .analytics(analytics).inputContract(inputContract).enrichmentTags(enrichmentTags);
    }

    public Topics topics() {
        return new Topics(topicPrefix);
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
                + ", kafkaProperties=" + KafkaClientConfig.redact(kafkaProperties) + ", analytics=" + analytics
                + ", inputContract=" + inputContract + ", enrichmentTags=" + enrichmentTags + "]";
    }

    /** Collects the settings; {@link #build()} validates them all through the canonical constructor. */
    public static final class Builder {
        private String kafkaBootstrapServers = DEFAULT_KAFKA_BOOTSTRAP_SERVERS;
        private String topicPrefix = Topics.DEFAULT_PREFIX;
        private String consumerGroup = DEFAULT_CONSUMER_GROUP;
        private String influxUrl = "http://localhost:8086";
        private String influxToken = "";
        private String influxOrg = "tributary";
        private String influxBucket = "telemetry";
        private int maxPointsPerWrite = 5_000;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private Duration retryBackoffInitial = DEFAULT_RETRY_BACKOFF_INITIAL;
        private Duration retryBackoffMax = Duration.ofSeconds(10);
        private Duration influxRequestTimeout = Duration.ofSeconds(10);
        private Duration closeTimeout = Duration.ofSeconds(15);
        private Map<String, String> consumerOverrides = Map.of();
        private Map<String, String> kafkaProperties = Map.of();
        private AnalyticsConfig analytics = AnalyticsConfig.defaults();
        private InputContract inputContract = InputContract.DEFAULTS;
        private List<String> enrichmentTags = List.of();

        private Builder() {
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

        public Builder enrichmentTags(List<String> labels) {
            this.enrichmentTags = labels;
            return this;
        }

        /** @throws IllegalArgumentException naming the option of the first invalid value */
        public ProcessorConfig build() {
            return new ProcessorConfig(kafkaBootstrapServers, topicPrefix, consumerGroup, influxUrl, influxToken,
                    influxOrg, influxBucket, maxPointsPerWrite, pollTimeout, retryBackoffInitial, retryBackoffMax,
                    influxRequestTimeout, closeTimeout, consumerOverrides, kafkaProperties,
                    analytics, inputContract, enrichmentTags);
        }
    }
}
