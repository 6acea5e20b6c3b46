package io.tributary.localstack.kafka;

/** The local stack's Kafka: one broker in this JVM ({@link EmbeddedKafka}) or broker processes ({@link KafkaCluster}). */
public interface LocalKafka extends AutoCloseable {

    /** {@code 127.0.0.1:PORT[,...]}: every broker. */
    String bootstrapServers();

    /**
     * Creates the missing topics with {@link io.tributary.contract.TopicReplication} for this cluster and waits until
     * every partition has a leader; an existing topic is left as it is.
     */
    void createTopics(int partitions, String... names);

    /** Stops the brokers; idempotent. */
    @Override
    void close();
}
