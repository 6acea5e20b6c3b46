package io.tributary.localstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three broker processes: topics replicated 3 / min.insync 2, a leader killed with SIGKILL, acks=all writes go on. */
class KafkaClusterIT {
    private static final String TOPIC = "tributary.telemetry";

    @TempDir
    Path dir;

    @Test
    void shouldKeepAcceptingAcksAllWritesWhileTheLeaderOfMostPartitionsIsKilledAndRestarted() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(dir, 3);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers()))) {
            assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
            cluster.createTopics(3, TOPIC);
            TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
            assertThat(topic.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()).isEqualTo("2");

            int victim = cluster.leaderOfMostPartitions(TOPIC);
            ProcessHandle process = cluster.process(victim).orElseThrow();
            try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers())) {
                send(producer, 0, 50);
                cluster.kill(victim);
                assertThat(process.isAlive()).isFalse();
                assertThat(cluster.process(victim)).isEmpty();
                send(producer, 50, 100);
                assertThat(cluster.leaders(TOPIC).values()).doesNotContain(victim);

                cluster.restart(victim);
                assertThat(cluster.process(victim)).isPresent();
                cluster.awaitInSync(TOPIC);
                send(producer, 100, 150);
            }
            assertThat(readAll(cluster.bootstrapServers(), 150)).hasSize(150).doesNotHaveDuplicates();
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000), new StringSerializer(), new StringSerializer());
    }

    private static void send(KafkaProducer<String, String> producer, int from, int to) throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            sent.add(producer.send(new ProducerRecord<>(TOPIC, "device-" + (i % 7), "reading-" + i)));
        }
        for (java.util.concurrent.Future<?> future : sent) {
            future.get(90, TimeUnit.SECONDS);
        }
    }

    private static List<String> readAll(String bootstrap, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "check",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
