package io.tributary.processor.kafka;

import io.tributary.common.KafkaClientConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.contract.TopicReplication;

/** Creates the topics the Streams part needs when they are missing; never fails the start (it logs). */
public final class TopicCreator {

    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);

    private TopicCreator() {
    }

    /**
     * Creates the rollups and alerts topics (and telemetry, which Streams needs to exist) when missing, with the
     * telemetry topic's partition count and {@link TopicReplication} (replication factor 3, min.insync.replicas 2 from
     * three brokers on); and the device metadata topic the enrichment joins, as the registry creates it (one partition,
     * compacted).
     */
    public static void ensureAnalyticsTopics(KafkaClientConfig kafka, String telemetryTopic, String rollupsTopic,
            String alertsTopic, String metadataTopic) {
        Properties props = new Properties();
        props.putAll(kafka.clientProperties());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(props)) {
            Optional<Integer> partitions = Optional.empty();
            try {
                Map<String, TopicDescription> telemetry = admin.describeTopics(Set.of(telemetryTopic))
                        .allTopicNames().get(30, TimeUnit.SECONDS);
                partitions = Optional.of(telemetry.get(telemetryTopic).partitions().size());
            } catch (ExecutionException e) {
                log.info("Telemetry topic missing: creating it with the broker's partition count [topic: {}]",
                        telemetryTopic);
            }
            TopicReplication replication = TopicReplication.of(admin, 30_000);
            List<NewTopic> topics = new ArrayList<>();
            if (partitions.isEmpty()) {
                topics.add(replication.newTopic(telemetryTopic, Optional.empty(), Map.of()));
            }
            topics.add(replication.newTopic(rollupsTopic, partitions, Map.of()));
            topics.add(replication.newTopic(alertsTopic, partitions, Map.of()));
            // Only if missing: on a secured cluster the processor may read it but not create it (the stack does).
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(metadataTopic)) {
                topics.add(replication.newTopic(metadataTopic, Optional.of(1),
                        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            }
            admin.createTopics(topics).values().forEach((name, future) -> {
                try {
                    future.get(30, TimeUnit.SECONDS);
                    log.info("Topic created [topic: {}]", name);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        log.warn("Could not create topic [topic: {}]: {}", name, e.getCause().toString());
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                } catch (TimeoutException te) {
                    log.warn("Creating topic timed out [topic: {}]", name);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("Could not count Kafka's brokers, topics not created: {}", e.getCause().toString());
        } catch (TimeoutException e) {
            log.warn("Kafka not reachable within 30 s while checking topics; continuing");
        }
    }
}
