package io.tributary.cli;

import io.tributary.common.KafkaClientConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The Kafka client options every command that talks to Kafka takes besides its {@code --kafka-bootstrap}: a client
 * properties file and single properties, merged with the {@code TRIBUTARY_KAFKA_*} variables by
 * {@link KafkaClientConfig#resolve}. Use it as a picocli {@code @Mixin}.
 */
public final class KafkaOptions {

    @Option(names = "--kafka-config", paramLabel = "FILE", defaultValue = "${env:" + KafkaClientConfig.CONFIG_VARIABLE + "}",
            description = "Kafka client properties file, as Kafka's own tools read it (security.protocol, sasl.*,"
                    + " ssl.*); TRIBUTARY_KAFKA_<NAME> variables (e.g. TRIBUTARY_KAFKA_SASL_MECHANISM) and"
                    + " --kafka-property override it (env " + KafkaClientConfig.CONFIG_VARIABLE + ").")
    public Path file;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "Kafka client property, repeatable, over --kafka-config and the environment"
                    + " (e.g. security.protocol=SSL).")
    public Map<String, String> properties = new LinkedHashMap<>();

    /**
     * The merged client config.
     *
     * @param bootstrap the command's {@code --kafka-bootstrap} value, null when not given
     * @param env       the environment ({@code System.getenv()} in a Main)
     * @throws IllegalArgumentException naming the file line or variable of a bad entry
     */
    public KafkaClientConfig resolve(String bootstrap, Map<String, String> env) {
        return KafkaClientConfig.resolve(file, env, properties, bootstrap);
    }
}
