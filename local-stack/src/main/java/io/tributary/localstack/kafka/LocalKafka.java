package io.tributary.localstack.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The local stack's Kafka: one broker in this JVM ({@link EmbeddedKafka}) or broker processes ({@link KafkaCluster}),
 * with the stack's own admin client, created on first use.
 */
public abstract sealed class LocalKafka implements AutoCloseable permits EmbeddedKafka, KafkaCluster {
    private final String bootstrapServers;
    private final Map<String, Object> adminProperties;
    private Admin admin;
    private boolean closed;

    /** {@code connection}: how the admin client connects (default: plainly to {@code bootstrapServers}). */
    LocalKafka(String bootstrapServers, Map<String, Object> connection) {
        this.bootstrapServers = bootstrapServers;
        Map<String, Object> admin = new HashMap<>(connection);
        admin.putIfAbsent(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        admin.put(AdminClientConfig.CLIENT_ID_CONFIG, "local-stack-admin");
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KafkaTopics.ADMIN_TIMEOUT.toMillis());
        this.adminProperties = Map.copyOf(admin);
    }

    /** {@code 127.0.0.1:PORT[,...]}: every broker. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The local stack's own admin client properties (secured: the brokers' identity, a super user). */
    public Map<String, Object> adminProperties() {
        return adminProperties;
    }

    /**
     * Creates the missing topics with {@link io.tributary.contract.TopicReplication} for this cluster and waits until
     * every partition has a leader; an existing topic is left as it is.
     */
    public void createTopics(int partitions, String... names) {
        KafkaTopics.create(admin(), partitions, names);
    }

    synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
        if (admin == null) {
            admin = Admin.create(new HashMap<>(adminProperties));
        }
        return admin;
    }

    /** Marks this closed and closes the admin client; false if it was closed already. */
    boolean closeAdmin() {
        Admin toClose;
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            toClose = admin;
        }
        if (toClose != null) {
            toClose.close(Duration.ofSeconds(5));
        }
        return true;
    }

    /** Stops the brokers; idempotent. */
    @Override
    public abstract void close();
}
