package io.tributary.localstack.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka node of a {@link KafkaCluster} in its own JVM, so that a test can kill it with SIGKILL:
 * {@code BrokerMain PROPERTIES_FILE READY_FILE} starts the node from its (formatted) properties, writes READY_FILE once
 * the broker serves clients, and runs until SIGTERM (a clean shutdown) or SIGKILL.
 */
public final class BrokerMain {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerMain.class);

    private BrokerMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: BrokerMain PROPERTIES_FILE READY_FILE");
            System.exit(2);
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
            props.load(reader);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "kafka-node-shutdown"));
        try {
            server.startup();
        } catch (RuntimeException e) {
            LOG.error("Kafka node failed to start [node: {}]", props.getProperty("node.id"), e);
            System.exit(1);
        }
        Files.writeString(Path.of(args[1]), Long.toString(ProcessHandle.current().pid()));
        LOG.info("Kafka node ready [node: {}, listeners: {}]", props.getProperty("node.id"),
                props.getProperty("listeners"));
        server.awaitShutdown();
    }
}
