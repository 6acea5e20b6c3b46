package io.tributary.localstack.kafka;

import io.tributary.contract.TopicReplication;
import io.tributary.localstack.LocalStackException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import kafka.tools.StorageTool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The properties of one KRaft node (combined broker + controller) of a local cluster of {@code nodes.size()} nodes,
 * and the storage format that must precede its first start.
 */
final class BrokerProperties {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerProperties.class);

    /**
     * A node's loopback ports.
     *
     * @param client   where clients connect
     * @param controller the KRaft quorum's listener
     * @param internal the brokers' own listener when secured (0 when not)
     */
    record Ports(int client, int controller, int internal) {
    }

    private BrokerProperties() {
    }

    /**
     * Node {@code nodeId} (1-based index into {@code nodes}) with its data in {@code dir}; internal topics replicated as
     * {@link TopicReplication#forBrokers} says; {@code overrides} replace or add properties.
     */
    static Properties of(Path dir, int nodeId, List<Ports> nodes, Map<String, String> overrides) {
        Ports own = nodes.get(nodeId - 1);
        TopicReplication replication = TopicReplication.forBrokers(nodes.size());
        String factor = Short.toString(replication.replicationFactor());
        String minIsr = Integer.toString(replication.minInsyncReplicas());
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", Integer.toString(nodeId));
        config.put("controller.quorum.voters", java.util.stream.IntStream.rangeClosed(1, nodes.size())
                .mapToObj(id -> id + "@127.0.0.1:" + nodes.get(id - 1).controller()).collect(Collectors.joining(",")));
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + own.client() + ",CONTROLLER://127.0.0.1:" + own.controller());
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + own.client());
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("log.dirs", dir.resolve("logs").toString());
        config.put("metadata.log.dir", dir.resolve("metadata").toString());
        // Internal topics replicated as far as the cluster can: one broker needs factor 1, or groups and
        // transactions hang silently.
        config.put("offsets.topic.replication.factor", factor);
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", factor);
        config.put("transaction.state.log.min.isr", minIsr);
        config.put("transaction.state.log.num.partitions", "5");
        config.put("share.coordinator.state.topic.replication.factor", factor);
        config.put("share.coordinator.state.topic.min.isr", minIsr);
        config.put("share.coordinator.state.topic.num.partitions", "1");
        config.put("default.replication.factor", factor);
        config.put("min.insync.replicas", minIsr);
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("auto.create.topics.enable", "true");
        config.put("num.partitions", "1");
        // The default 128 MiB dedupe buffer dominates a small heap.
        config.put("log.cleaner.dedupe.buffer.size", "2097152");
        config.put("delete.topic.enable", "true");
        if (nodes.size() > 1) {
            // A dead broker keeps leading its partitions, and acks=all producers wait, until the controller fences
            // it when its session expires (default 9 s): 3 s, heartbeats every second (ADR 0013).
            config.put("broker.session.timeout.ms", "3000");
            config.put("broker.heartbeat.interval.ms", "1000");
        }
        config.putAll(overrides);
        Properties props = new Properties();
        props.putAll(config);
        return props;
    }

    /** Writes {@code props} to {@code file}. */
    static void write(Properties props, Path file) {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(writer, "tributary local-stack Kafka node");
        } catch (IOException e) {
            throw new LocalStackException("could not write " + file, e);
        }
    }

    /** Formats the node's storage for {@code clusterId} unless it is formatted already (then it is reused). */
    static void format(Path dir, Properties props, String clusterId) {
        if (Files.exists(dir.resolve("metadata").resolve("meta.properties"))) {
            LOG.info("Kafka storage already formatted, reusing it [dir: {}]", dir);
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LocalStackException("could not prepare Kafka data dir " + dir, e);
        }
        Path propertiesFile = dir.resolve("server.properties");
        write(props, propertiesFile);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            code = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", propertiesFile.toString()}, out);
        }
        String text = output.toString(StandardCharsets.UTF_8).trim();
        if (code != 0) {
            throw new LocalStackException("Kafka storage format failed (exit " + code + "): " + text);
        }
        LOG.debug("Kafka storage formatted [dir: {}, output: {}]", dir, text);
    }
}
