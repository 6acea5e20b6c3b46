package io.tributary.localstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.contract.Topics;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A secured broker process: each role may write only its own topics, refused by the broker itself. */
class KafkaSecurityIT {
    private static final Topics TOPICS = Topics.defaults();

    @TempDir
    static Path dir;

    private static KafkaCluster cluster;
    private static Map<String, Path> roles;

    @BeforeAll
    static void startSecuredBroker() {
        cluster = KafkaCluster.start(dir, 1, true, Map.of());
        cluster.createTopics(1, TOPICS.telemetry(), TOPICS.deviceStatus(), TOPICS.deadLetter(), TOPICS.devices(),
                TOPICS.deviceConfig(), TOPICS.deviceMetadata());
        roles = cluster.grantRoles(TOPICS);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldWriteOnePropertiesFilePerRoleReadableOnlyByItsOwner() throws Exception {
        assertThat(roles).containsOnlyKeys("gateway", "processor", "operator", "admin");
        for (Path file : roles.values()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        assertThat(load("gateway")).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("bootstrap.servers", cluster.bootstrapServers());
    }

    @Test
    void shouldRefuseTheProcessorWritingTelemetry() throws Exception {
        assertThatThrownBy(() -> send("processor", TOPICS.telemetry(), "device-1"))
                .hasCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void shouldRefuseTheGatewayReKeyingADeviceInTheRegistryButLetTheOperator() throws Exception {
        assertThatThrownBy(() -> send("gateway", TOPICS.devices(), "device-1"))
                .hasCauseInstanceOf(TopicAuthorizationException.class);
        assertThat(send("operator", TOPICS.devices(), "device-1").topic()).isEqualTo(TOPICS.devices());
    }

    @Test
    void shouldRefuseTheGatewayAndTheProcessorLabellingADeviceButLetTheOperator() throws Exception {
        for (String role : new String[] {"gateway", "processor"}) {
            assertThatThrownBy(() -> send(role, TOPICS.deviceMetadata(), "device-1")).as(role)
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(send("operator", TOPICS.deviceMetadata(), "device-1").topic()).isEqualTo(TOPICS.deviceMetadata());
    }

    @Test
    void shouldLetTheGatewayWriteTelemetryButNotTheOperator() throws Exception {
        assertThat(send("gateway", TOPICS.telemetry(), "device-1").topic()).isEqualTo(TOPICS.telemetry());
        assertThatThrownBy(() -> send("operator", TOPICS.telemetry(), "device-1"))
                .hasCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void shouldRefuseAWrongPassword() throws Exception {
        Properties props = load("gateway");
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"gateway\" password=\"guessed\";");
        assertThatThrownBy(() -> send(props, TOPICS.telemetry(), "device-1"))
                .hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    private static Properties load(String role) throws Exception {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(roles.get(role))) {
            props.load(reader);
        }
        return props;
    }

    private static RecordMetadata send(String role, String topic, String key) throws Exception {
        return send(load(role), topic, key);
    }

    private static RecordMetadata send(Properties props, String topic, String key) throws Exception {
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            return producer.send(new ProducerRecord<>(topic, key, "{}")).get(30, TimeUnit.SECONDS);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new ExecutionException(e); // refusals before the send: same shape as a failed send
        }
    }
}
