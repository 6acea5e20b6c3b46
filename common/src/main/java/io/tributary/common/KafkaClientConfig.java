package io.tributary.common;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The Kafka client settings every part shares: {@code bootstrap.servers} and the client properties (security,
 * timeouts) that apply to each of its Kafka clients. Sources, the later overriding the earlier:
 * <ol>
 *   <li>a standard Kafka client properties file ({@code --kafka-config FILE}, env {@value #CONFIG_VARIABLE}), read
 *       as Kafka's own tools read {@code --command-config};</li>
 *   <li>environment variables {@code TRIBUTARY_KAFKA_NAME}: the property {@code name} lower-cased with {@code _} as
 *       {@code .}, e.g. {@code TRIBUTARY_KAFKA_SASL_MECHANISM} is {@code sasl.mechanism}; the variables of our own
 *       options ({@link #OPTION_VARIABLES}) are never properties;</li>
 *   <li>explicit {@code --kafka-property KEY=VALUE} options.</li>
 * </ol>
 * The bootstrap servers are {@code --kafka-bootstrap} (env {@code TRIBUTARY_KAFKA_BOOTSTRAP}) if given, else
 * {@code bootstrap.servers} from the sources above, else {@value #DEFAULT_BOOTSTRAP}. {@link #toString()} and
 * {@link #redact} hide the values of secret keys ({@link #isSecret}).
 *
 * @param bootstrap  Kafka's {@code bootstrap.servers}
 * @param properties the other client properties, without {@code bootstrap.servers}
 */
public record KafkaClientConfig(String bootstrap, Map<String, String> properties) {

    public static final String DEFAULT_BOOTSTRAP = "localhost:9092";
    public static final String ENV_PREFIX = "TRIBUTARY_KAFKA_";
    public static final String CONFIG_VARIABLE = ENV_PREFIX + "CONFIG";
    /** Variables of Tributary options under {@link #ENV_PREFIX}: they keep their meaning and are no properties. */
    public static final Set<String> OPTION_VARIABLES = Set.of(CONFIG_VARIABLE, ENV_PREFIX + "BOOTSTRAP",
            ENV_PREFIX + "LINGER", ENV_PREFIX + "DELIVERY_TIMEOUT", ENV_PREFIX + "MAX_BLOCK",
            ENV_PREFIX + "SESSION_TIMEOUT", ENV_PREFIX + "STARTUP_TIMEOUT");
    /** What printing shows instead of a secret (Kafka's own word for its password settings). */
    public static final String HIDDEN = "[hidden]";

    private static final String BOOTSTRAP_KEY = "bootstrap.servers";
    /** Kafka's configuration names: lower-case words joined by dots (some with '-' or '_'). */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    /** A line that ends in an odd number of backslashes goes on in the next line. */
    private static final Pattern CONTINUED = Pattern.compile("(?<!\\\\)(\\\\\\\\)*\\\\\\z");
    private static final Pattern VARIABLE = Pattern.compile("[A-Z0-9]+(_[A-Z0-9]+)*");
    private static final Pattern SECRET = Pattern.compile(
            ".*(password|secret|jaas\\.config).*|.*(\\.key|token|credentials?|user\\.info)");

    public KafkaClientConfig {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers must not be empty");
        }
        properties = Map.copyOf(properties);
        if (properties.containsKey(BOOTSTRAP_KEY)) {
            throw new IllegalArgumentException("bootstrap.servers belongs in the bootstrap, not the properties");
        }
    }

    /** Defaults only: {@value #DEFAULT_BOOTSTRAP}, no properties. */
    public static KafkaClientConfig defaults() {
        return new KafkaClientConfig(DEFAULT_BOOTSTRAP, Map.of());
    }

    /**
     * Merges the sources (see the class comment).
     *
     * @param file      the properties file, or null for none
     * @param env       the environment ({@code System.getenv()} in a Main)
     * @param explicit  {@code --kafka-property} values
     * @param bootstrap {@code --kafka-bootstrap} (or its variable), or null/blank when not given
     * @throws IllegalArgumentException naming the file and line, or the variable, of a bad entry
     */
    public static KafkaClientConfig resolve(Path file, Map<String, String> env, Map<String, String> explicit,
            String bootstrap) {
        Map<String, String> all = new LinkedHashMap<>(file == null ? Map.of() : readFile(file));
        all.putAll(fromEnvironment(env));
        explicit.forEach((key, value) -> all.put(checkKey(key, "--kafka-property " + key), value));
        String fromProperties = all.remove(BOOTSTRAP_KEY);
        String servers = bootstrap != null && !bootstrap.isBlank() ? bootstrap
                : fromProperties != null && !fromProperties.isBlank() ? fromProperties : DEFAULT_BOOTSTRAP;
        return new KafkaClientConfig(servers.trim(), all);
    }

    /**
     * Reads a Kafka client properties file: {@code key=value} (or {@code key: value}, {@code key value}), {@code #}
     * and {@code !} comments, {@code \} continuing a line, as {@link Properties#load} reads it.
     *
     * @throws IllegalArgumentException if the file cannot be read or a line holds no {@code key=value}
     */
    public static Map<String, String> readFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("Kafka client config " + file + ": cannot read it ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        Map<String, String> result = new LinkedHashMap<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int first = i;
            StringBuilder logical = new StringBuilder(lines[i]);
            String trimmed = lines[i].strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
                continue;
            }
            while (CONTINUED.matcher(logical).find() && i + 1 < lines.length) {
                logical.append('\n').append(lines[++i]);
            }
            String where = "Kafka client config " + file + ", line " + (first + 1);
            Properties one = new Properties();
            try {
                one.load(new StringReader(logical.toString()));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
            String key = one.stringPropertyNames().iterator().next();
            String value = one.getProperty(key);
            if (value.isEmpty() && !trimmed.contains("=") && !trimmed.contains(":")) {
                throw new IllegalArgumentException(where + ": expected KEY=VALUE, got '" + key + "'");
            }
            result.put(checkKey(key, where), value);
        }
        return result;
    }

    /** The properties set by {@code TRIBUTARY_KAFKA_*} variables, option variables left out. */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> result = new TreeMap<>();
        env.forEach((variable, value) -> {
            if (variable.startsWith(ENV_PREFIX) && !OPTION_VARIABLES.contains(variable)) {
                String name = variable.substring(ENV_PREFIX.length());
                if (!VARIABLE.matcher(name).matches()) {
                    throw new IllegalArgumentException("environment variable " + variable + ": expected "
                            + ENV_PREFIX + "WORDS_JOINED_BY_UNDERSCORES (e.g. " + ENV_PREFIX + "SASL_MECHANISM)");
                }
                result.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return result;
    }

    /** Whether the value of {@code key} is a secret (passwords, JAAS configs, private keys, tokens, secrets). */
    public static boolean isSecret(String key) {
        return SECRET.matcher(key.toLowerCase(Locale.ROOT)).matches();
    }

    /** A copy of {@code properties} for printing: each secret value replaced by {@value #HIDDEN}, sorted by key. */
    public static Map<String, String> redact(Map<String, ?> properties) {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((key, value) -> shown.put(key, isSecret(key) ? HIDDEN : String.valueOf(value)));
        return shown;
    }

    /** The properties plus {@code bootstrap.servers}: what a Kafka client is built from; a new, mutable map. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> all = new LinkedHashMap<>(properties);
        all.put(BOOTSTRAP_KEY, bootstrap);
        return all;
    }

    /** Printable: secrets hidden. */
    @Override
    public String toString() {
        return "KafkaClientConfig[bootstrap=" + bootstrap + ", properties=" + redact(properties) + "]";
    }

    private static String checkKey(String key, String where) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException(where + ": '" + key + "' is not a Kafka property name");
        }
        return key;
    }
}
