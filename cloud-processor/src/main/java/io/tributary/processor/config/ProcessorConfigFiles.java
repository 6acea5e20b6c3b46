package io.tributary.processor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.tributary.common.Durations;
import io.tributary.common.KafkaClientConfig;
import io.tributary.contract.InputContract;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Builds a {@link ProcessorConfig} from, in rising precedence: defaults, a YAML config file, {@code TRIBUTARY_*}
 * environment variables, command-line options. Every key has one environment variable (see {@link #KEYS}). Unknown
 * keys and bad values are rejected with a message naming the key and where the value came from.
 *
 * <pre>
 * kafka:   {bootstrap: localhost:9092, topic-prefix: tributary., group: tributary-influx-writer, session-timeout: 45s,
 *           config: /etc/tributary/kafka.properties, property: {security.protocol: SASL_SSL}}
 * influx:  {url: http://localhost:8086, token: "", org: tributary, bucket: telemetry,
 *           max-points-per-write: 5000, retry-backoff-max: 10s, request-timeout: 10s, gzip: true, writers: 2}
 * streams: {enabled: true, application-id: ..., state-dir: /var/lib/tributary/streams, commit-interval: 100ms, threads: 1,
 *           compression: lz4}
 * rollups: {windows: [10s, 1m], grace: 30s, punctuate-interval: 500ms}
 * alerts:  {rules-file: /etc/tributary/rules.yaml, rules-check-interval: 2s, webhook-url: https://..., webhook-group: ...}
 * http:    {host: 0.0.0.0, port: 9464}
 * enrichment: {tags: [site, kind]}
 * health:  {enabled: true, interval: 10s}
 * </pre>
 */
public final class ProcessorConfigFiles {

    /** The service serves /metrics and /health/* here unless told otherwise (-1 turns it off). */
    public static final int DEFAULT_HTTP_PORT = 9464;

    /** The input contract's limits: YAML {@code contract.<name>}, option {@code --<name>}, TRIBUTARY_<NAME>. */
    public static final List<String> CONTRACT_LIMITS = List.of("max-event-age", "max-event-future",
            "max-sensor-name-length", "max-unit-length", "max-readings-per-batch", "max-sensors-per-device");

    /** Every config key and its environment variable. */
    public static final Map<String, String> KEYS;

    static {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String key : List.of("kafka.bootstrap", "kafka.topic-prefix", "kafka.group", "kafka.session-timeout",
                "kafka.config",
                "influx.url", "influx.token", "influx.org", "influx.bucket", "influx.max-points-per-write",
                "influx.retry-backoff-max", "influx.request-timeout", "influx.gzip", "influx.writers", "streams.enabled", "streams.application-id",
                "streams.state-dir", "streams.commit-interval", "streams.threads", "streams.compression",
                "rollups.windows", "rollups.grace",
                "rollups.punctuate-interval", "alerts.rules-file", "alerts.rules-check-interval", "alerts.webhook-url",
                "alerts.webhook-group", "http.host", "http.port", "enrichment.tags",
                "health.enabled", "health.interval")) {
            keys.put(key, "TRIBUTARY_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        // The names all Tributary services share (see the root README).
        keys.put("kafka.topic-prefix", "TRIBUTARY_TOPIC_PREFIX");
        keys.put("kafka.group", "TRIBUTARY_PROCESSOR_GROUP");
        // The input contract, re-checked by the processor: the gateway's option names and environment variables.
        for (String limit : CONTRACT_LIMITS) {
            keys.put("contract." + limit, "TRIBUTARY_" + limit.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        KEYS = Collections.unmodifiableMap(keys);
    }

    /** Keys {@code kafka.property.NAME}: the Kafka client property NAME ({@code --kafka-property NAME=VALUE}). */
    public static final String KAFKA_PROPERTY = "kafka.property.";

    private ProcessorConfigFiles() {
    }

    /** A value and where it came from, for error messages. */
    private record Value(String value, String source) {
    }

    /**
     * @param yamlText the config file's content, or null for none
     * @param fileName the config file's name for messages
     * @param env the environment ({@code System.getenv()} in Main)
     * @param options command-line values by config key (null values are ignored)
     * @throws IllegalArgumentException naming the key and its source
     */
    public static ProcessorConfig load(String yamlText, String fileName, Map<String, String> env,
            Map<String, String> options) {
        Map<String, Value> values = new HashMap<>();
        if (yamlText != null) {
            Object root;
            try {
                root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
            } catch (YAMLException e) {
                throw new IllegalArgumentException("config file " + fileName + ": not valid YAML: " + e.getMessage());
            }
            if (root != null) {
                if (!(root instanceof Map<?, ?> map)) {
                    throw new IllegalArgumentException("config file " + fileName + ": expected a mapping of sections");
                }
                Map<String, String> flat = new LinkedHashMap<>();
                flatten("", map, flat);
                flat.forEach((k, v) -> {
                    requireKnown(k, "config file " + fileName + ": unknown key '");
                    values.put(k, new Value(v, "config file " + fileName));
                });
            }
        }
        KEYS.forEach((key, var) -> {
            String v = env.get(var);
            if (v != null && !v.isEmpty()) {
                values.put(key, new Value(v, "environment variable " + var));
            }
        });
        options.forEach((key, v) -> {
            requireKnown(key, "unknown config key '");
            if (v != null) {
                values.put(key, new Value(v, "option"));
            }
        });
        return build(values, env);
    }

    private static void requireKnown(String key, String unknown) {
        if (!KEYS.containsKey(key) && !key.startsWith(KAFKA_PROPERTY)) {
            throw new IllegalArgumentException(unknown + key + "' (known keys: " + String.join(", ", KEYS.keySet())
                    + ")");
        }
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out) {
        map.forEach((k, v) -> {
            String key = prefix + k;
            if (v instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, out);
            } else if (v instanceof List<?> list) {
                out.put(key, String.join(",", list.stream().map(String::valueOf).toList()));
            } else {
                out.put(key, v == null ? "" : String.valueOf(v));
            }
        });
    }

    private static ProcessorConfig build(Map<String, Value> v, Map<String, String> env) {
        ProcessorConfig d = ProcessorConfig.defaults();
        AnalyticsConfig a = d.analytics();
        InputContract c = d.inputContract();
        Function<String, Integer> integer = ProcessorConfigFiles::parseInteger;
        Function<String, Duration> duration = Durations::parse;
        Function<String, Path> path = s -> s.isBlank() ? null : Path.of(s);
        Map<String, String> properties = new HashMap<>();
        v.forEach((key, value) -> {
            if (key.startsWith(KAFKA_PROPERTY)) {
                properties.put(key.substring(KAFKA_PROPERTY.length()), value.value());
            }
        });
        KafkaClientConfig kafka = KafkaClientConfig.resolve(get(v, "kafka.config", null, path), env, properties,
                str(v, "kafka.bootstrap", null));
        try {
            Map<String, String> consumerOverrides = new HashMap<>();
            Duration session = get(v, "kafka.session-timeout", null, duration);
            if (session != null) {
                consumerOverrides.put("session.timeout.ms", Long.toString(session.toMillis()));
                consumerOverrides.put("heartbeat.interval.ms", Long.toString(Math.max(100, session.toMillis() / 5)));
            }
            InputContract contract;
            try {
                contract = new InputContract(
                        get(v, "contract.max-event-age", c.maxEventAge(), duration),
                        get(v, "contract.max-event-future", c.maxEventFuture(), duration),
                        get(v, "contract.max-sensor-name-length", c.maxSensorNameLength(), integer),
                        get(v, "contract.max-unit-length", c.maxUnitLength(), integer),
                        get(v, "contract.max-readings-per-batch", c.maxReadingsPerBatch(), integer),
                        get(v, "contract.max-sensors-per-device", c.maxSensorsPerDevice(), integer));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(contractKey(e.getMessage()), e);
            }
            return ProcessorConfig.builder()
                    .kafkaBootstrapServers(kafka.bootstrap())
                    .kafkaProperties(kafka.properties())
                    .topicPrefix(str(v, "kafka.topic-prefix", d.topicPrefix()))
                    .consumerGroup(str(v, "kafka.group", d.consumerGroup()))
                    .influx(str(v, "influx.url", d.influxUrl()), str(v, "influx.token", d.influxToken()),
                            str(v, "influx.org", d.influxOrg()), str(v, "influx.bucket", d.influxBucket()))
                    .maxPointsPerWrite(get(v, "influx.max-points-per-write", d.maxPointsPerWrite(), integer))
                    .retryBackoff(d.retryBackoffInitial(),
                            get(v, "influx.retry-backoff-max", d.retryBackoffMax(), duration))
                    .influxRequestTimeout(get(v, "influx.request-timeout", d.influxRequestTimeout(), duration))
                    .consumerOverrides(consumerOverrides)
                    .analytics(new AnalyticsConfig(
                            get(v, "streams.enabled", a.enabled(), ProcessorConfigFiles::parseBool),
                            str(v, "streams.application-id", a.applicationId()),
                            get(v, "streams.state-dir", null, path),
                            get(v, "rollups.windows", a.rollupWindows(), ProcessorConfigFiles::parseDurations),
                            get(v, "rollups.grace", a.rollupGrace(), duration),
                            get(v, "rollups.punctuate-interval", a.punctuateInterval(), duration),
                            get(v, "streams.commit-interval", a.commitInterval(), duration),
                            get(v, "streams.threads", a.streamThreads(), integer),
                            get(v, "alerts.rules-file", null, path),
                            get(v, "alerts.rules-check-interval", a.rulesCheckInterval(), duration),
                            str(v, "alerts.webhook-url", a.webhookUrl()),
                            str(v, "alerts.webhook-group", a.webhookGroup()),
                            get(v, "http.port", DEFAULT_HTTP_PORT, integer),
                            str(v, "http.host", a.httpHost()),
                            get(v, "influx.gzip", a.influxGzip(), ProcessorConfigFiles::parseBool),
                            str(v, "streams.compression", a.streamsCompression()),
                            get(v, "influx.writers", a.readingsWriters(), integer),
                            get(v, "health.enabled", a.healthEnabled(), ProcessorConfigFiles::parseBool),
                            get(v, "health.interval", a.healthInterval(), duration)))
                    .inputContract(contract)
                    .enrichmentTags(get(v, "enrichment.tags", List.of(), ProcessorConfigFiles::parseList))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(withSource(e.getMessage(), v), e);
        }
    }

    /** InputContract names its components (maxEventAge ...): say the config key instead. */
    private static String contractKey(String message) {
        for (String limit : CONTRACT_LIMITS) {
            String component = Pattern.compile("-(.)").matcher(limit)
                    .replaceAll(m -> m.group(1).toUpperCase(Locale.ROOT));
            if (message != null && message.startsWith(component)) {
                return "contract." + limit + ":" + message.substring(component.length());
            }
        }
        return String.valueOf(message);
    }

    /** Adds where the value came from to a validation message that starts with the key. */
    private static String withSource(String message, Map<String, Value> v) {
        return v.entrySet().stream().filter(e -> message.startsWith(e.getKey() + ":")).findFirst()
                .map(e -> message + " (from " + e.getValue().source() + ")").orElse(message);
    }

    private static String str(Map<String, Value> v, String key, String fallback) {
        return get(v, key, fallback, s -> s);
    }

    /** The key's value parsed, or the fallback if it is not set; a value that does not parse fails naming the key. */
    private static <T> T get(Map<String, Value> v, String key, T fallback, Function<String, T> parse) {
        Value value = v.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return parse.apply(value.value());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    private static int parseInteger(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not an integer");
        }
    }

    private static boolean parseBool(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not true/false");
        };
    }

    private static List<String> parseList(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList();
    }

    private static List<Duration> parseDurations(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(p -> !p.isEmpty()).map(Durations::parse).toList();
    }
}
