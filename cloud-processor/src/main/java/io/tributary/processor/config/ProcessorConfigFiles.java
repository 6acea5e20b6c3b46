package io.tributary.processor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
                "alerts.webhook-group", "http.host", "http.port")) {
            keys.put(key, "TRIBUTARY_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        // The names all Tributary services share (see the root README).
        keys.put("kafka.topic-prefix", "TRIBUTARY_TOPIC_PREFIX");
        keys.put("kafka.group", "TRIBUTARY_PROCESSOR_GROUP");
        // The input contract, re-checked by the processor: the gateway's option names and environment variables.
        for (String limit : CONTRACT_LIMITS) {
            keys.put("contract." + limit, "TRIBUTARY_" + limit.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        KEYS = java.util.Collections.unmodifiableMap(keys);
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
                flatten("", map, flat, fileName);
                flat.forEach((k, v) -> {
                    if (!known(k)) {
                        throw new IllegalArgumentException("config file " + fileName + ": unknown key '" + k
                                + "' (known keys: " + String.join(", ", KEYS.keySet()) + ")");
                    }
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
            if (!known(key)) {
                throw new IllegalArgumentException("unknown config key '" + key + "' (known keys: "
                        + String.join(", ", KEYS.keySet()) + ")");
            }
            if (v != null) {
                values.put(key, new Value(v, "option"));
            }
        });
        return build(values, env);
    }

    private static boolean known(String key) {
        return KEYS.containsKey(key) || key.startsWith(KAFKA_PROPERTY);
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out, String fileName) {
        map.forEach((k, v) -> {
            String key = prefix + k;
            if (v instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, out, fileName);
            } else if (v instanceof List<?> list) {
                out.put(key, String.join(",", list.stream().map(String::valueOf).toList()));
            } else {
                out.put(key, v == null ? "" : String.valueOf(v));
            }
        });
    }

    private static ProcessorConfig build(Map<String, Value> v, Map<String, String> env) {
        ProcessorConfig d = ProcessorConfig.defaults();
        AnalyticsConfig a = AnalyticsConfig.defaults();
        Map<String, String> properties = new HashMap<>();
        v.forEach((key, value) -> {
            if (key.startsWith(KAFKA_PROPERTY)) {
                properties.put(key.substring(KAFKA_PROPERTY.length()), value.value());
            }
        });
        String file = str(v, "kafka.config", "");
        KafkaClientConfig kafka = KafkaClientConfig.resolve(file.isBlank() ? null : Path.of(file), env, properties,
                str(v, "kafka.bootstrap", null));
        ProcessorConfig base = ProcessorConfig.builder()
                .kafkaBootstrapServers(kafka.bootstrap())
                .kafkaProperties(kafka.properties())
                .topicPrefix(str(v, "kafka.topic-prefix", d.topicPrefix()))
                .consumerGroup(str(v, "kafka.group", d.consumerGroup()))
                .influx(str(v, "influx.url", d.influxUrl()), str(v, "influx.token", d.influxToken()),
                        str(v, "influx.org", d.influxOrg()), str(v, "influx.bucket", d.influxBucket()))
                .maxPointsPerWrite(integer(v, "influx.max-points-per-write", d.maxPointsPerWrite()))
                .build();
        Map<String, String> consumerOverrides = new HashMap<>();
        if (v.containsKey("kafka.session-timeout")) {
            Duration session = duration(v, "kafka.session-timeout", null);
            consumerOverrides.put("session.timeout.ms", Long.toString(session.toMillis()));
            consumerOverrides.put("heartbeat.interval.ms", Long.toString(Math.max(100, session.toMillis() / 5)));
        }
        String rulesFile = str(v, "alerts.rules-file", null);
        String stateDir = str(v, "streams.state-dir", null);
        try {
            AnalyticsConfig analytics = new AnalyticsConfig(
                    bool(v, "streams.enabled", a.enabled()),
                    str(v, "streams.application-id", a.applicationId()),
                    stateDir == null || stateDir.isBlank() ? null : Path.of(stateDir),
                    durations(v, "rollups.windows", a.rollupWindows()),
                    duration(v, "rollups.grace", a.rollupGrace()),
                    duration(v, "rollups.punctuate-interval", a.punctuateInterval()),
                    duration(v, "streams.commit-interval", a.commitInterval()),
                    integer(v, "streams.threads", a.streamThreads()),
                    rulesFile == null || rulesFile.isBlank() ? null : Path.of(rulesFile),
                    duration(v, "alerts.rules-check-interval", a.rulesCheckInterval()),
                    str(v, "alerts.webhook-url", a.webhookUrl()),
                    str(v, "alerts.webhook-group", a.webhookGroup()),
                    integer(v, "http.port", DEFAULT_HTTP_PORT),
                    str(v, "http.host", a.httpHost()),
                    bool(v, "influx.gzip", a.influxGzip()),
                    str(v, "streams.compression", a.streamsCompression()),
                    integer(v, "influx.writers", a.readingsWriters()));
            InputContract c = InputContract.DEFAULTS;
            InputContract contract;
            try {
                contract = new InputContract(
                        duration(v, "contract.max-event-age", c.maxEventAge()),
                        duration(v, "contract.max-event-future", c.maxEventFuture()),
                        integer(v, "contract.max-sensor-name-length", c.maxSensorNameLength()),
                        integer(v, "contract.max-unit-length", c.maxUnitLength()),
                        integer(v, "contract.max-readings-per-batch", c.maxReadingsPerBatch()),
                        integer(v, "contract.max-sensors-per-device", c.maxSensorsPerDevice()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(contractKey(e.getMessage()), e);
            }
            return base.toBuilder()
                    .retryBackoff(base.retryBackoffInitial(),
                            duration(v, "influx.retry-backoff-max", base.retryBackoffMax()))
                    .influxRequestTimeout(duration(v, "influx.request-timeout", base.influxRequestTimeout()))
                    .consumerOverrides(consumerOverrides)
                    .analytics(analytics)
                    .inputContract(contract)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(withSource(e.getMessage(), v), e);
        }
    }

    /** InputContract names its components (maxEventAge ...): say the config key instead. */
    private static String contractKey(String message) {
        for (String limit : CONTRACT_LIMITS) {
            String component = java.util.Arrays.stream(limit.split("-"))
                    .map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1))
                    .collect(java.util.stream.Collectors.joining());
            component = Character.toLowerCase(component.charAt(0)) + component.substring(1);
            if (message != null && message.startsWith(component)) {
                return "contract." + limit + ":" + message.substring(component.length());
            }
        }
        return String.valueOf(message);
    }

    /** Adds where the value came from to a validation message that starts with the key. */
    private static String withSource(String message, Map<String, Value> v) {
        for (Map.Entry<String, Value> e : v.entrySet()) {
            if (message.startsWith(e.getKey() + ":")) {
                return message + " (from " + e.getValue().source() + ")";
            }
        }
        return message;
    }

    private static String str(Map<String, Value> v, String key, String fallback) {
        Value value = v.get(key);
        return value == null ? fallback : value.value();
    }

    private static int integer(Map<String, Value> v, String key, int fallback) {
        Value value = v.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.value().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value.value() + "' is not an integer (from "
                    + value.source() + ")");
        }
    }

    private static boolean bool(Map<String, Value> v, String key, boolean fallback) {
        Value value = v.get(key);
        if (value == null) {
            return fallback;
        }
        return switch (value.value().trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(key + ": '" + value.value() + "' is not true/false (from "
                    + value.source() + ")");
        };
    }

    private static Duration duration(Map<String, Value> v, String key, Duration fallback) {
        Value value = v.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Durations.parse(value.value());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage() + " (from " + value.source() + ")");
        }
    }

    private static List<Duration> durations(Map<String, Value> v, String key, List<Duration> fallback) {
        Value value = v.get(key);
        if (value == null) {
            return fallback;
        }
        List<Duration> out = new ArrayList<>();
        for (String part : Arrays.stream(value.value().split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toList()) {
            try {
                out.add(Durations.parse(part));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage() + " (from " + value.source() + ")");
            }
        }
        return out;
    }
}
