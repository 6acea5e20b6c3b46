package io.tributary.processor;

import static io.tributary.testing.kafka.KafkaTestTopics.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.tributary.contract.InputContract;
import io.tributary.localstack.LocalStack;
import io.tributary.processor.config.AnalyticsConfig;
import io.tributary.processor.config.ProcessorConfig;
import io.tributary.processor.writer.DeadLetterReason;
import io.tributary.processor.writer.KafkaDeadLetterPublisher;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;
import io.tributary.testing.TestResources;
import io.tributary.testing.batch.TestBatches;
import io.tributary.testing.kafka.KafkaTestTopics;
import io.tributary.testing.kafka.TestProducers;

/**
 * The processor against the real parts: the in-JVM Kafka broker and influxd 1.6 behind the v2 write endpoint, both
 * from the local stack. Each test has its own topics, consumer group and InfluxDB database.
 */
class ProcessorIT {

    private static final int PARTITIONS = 3;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static LocalStack stack;
    private static Admin admin;
    private static KafkaProducer<byte[], byte[]> producer;
    private static final HttpClient http = HttpClient.newHttpClient();

    private final List<Processor> processors = new ArrayList<>();

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start();
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        admin = Admin.create(adminProps);
        producer = TestProducers.bytes(stack.kafkaBootstrapServers());
    }

    @AfterAll
    static void stopStack() {
        TestResources.closeAll(producer, admin, stack);
    }

    @AfterEach
    void closeProcessors() {
        processors.forEach(Processor::close);
    }

    @Test
    void shouldStoreEveryReadingExactlyOnceWithExactTimestampsAlsoWhenBatchesArriveTwice() throws Exception {
        String prefix = "it-store.";
        String database = "it_store";
        String group = "it-store-writer";
        createTopicsAndDatabase(prefix, database);
        List<ReadingBatch> batches = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            batches.add(batch("dev-" + (char) ('a' + i % 3), i / 3 + 1, 5, i));
        }
        send(prefix, batches);

        Processor processor = start(config(prefix, group, stack.influxUrl(), database));

        await().atMost(DEADLINE).until(() -> committedTotal(prefix, group) == 30);
        assertThat(countByDevice(database)).isEqualTo(Map.of("dev-a", 50L, "dev-b", 50L, "dev-c", 50L));
        assertThat(storedTimes(database, "dev-b")).isEqualTo(eventTimes(batches, "dev-b"));
        assertThat(processor.meters().count("points.written", "writer", "readings")).isEqualTo(150);
        assertThat(processor.meters().count("offset.commits", "writer", "readings")).isPositive();

        // The gateway re-sends a batch when a PUBACK was lost: the same bytes arrive again.
        send(prefix, batches);

        await().atMost(DEADLINE).until(() -> committedTotal(prefix, group) == 60);
        assertThat(processor.meters().count("points.written", "writer", "readings")).isEqualTo(300);
        assertThat(countByDevice(database)).isEqualTo(Map.of("dev-a", 50L, "dev-b", 50L, "dev-c", 50L));
        assertThat(processor.meters().count("deadlettered", "writer", "readings")).isZero();
    }

    @Test
    void shouldShareTheTelemetryPartitionsAmongItsReadingsWritersAndStoreEachReadingOnce() throws Exception {
        String prefix = "it-writers.";
        String database = "it_writers";
        String group = "it-writers-writer";
        createTopicsAndDatabase(prefix, database);
        List<ReadingBatch> batches = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            batches.add(batch("dev-" + (char) ('a' + i % 6), i / 6 + 1, 4, i));
        }
        send(prefix, batches);

        ProcessorConfig base = config(prefix, group, stack.influxUrl(), database);
        Processor processor = start(base.toBuilder().analytics(AnalyticsConfig.builder().readingsWriters(PARTITIONS).build()).build());

        await().atMost(DEADLINE).until(() -> committedTotal(prefix, group) == 60);
        // The writers join one by one, so the group may still be rebalancing when the last offset is committed:
        // what must hold is the settled assignment, one partition per writer.
        await().atMost(DEADLINE).untilAsserted(() -> {
            var members = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().members();
            assertThat(members).hasSize(PARTITIONS);
            assertThat(members).allSatisfy(m -> assertThat(m.assignment().topicPartitions()).hasSize(1));
        });
        assertThat(countByDevice(database)).hasSize(6).allSatisfy((device, count) -> assertThat(count).isEqualTo(40));
        assertThat(processor.meters().count("points.written", "writer", "readings")).isEqualTo(240);
        assertThat(processor.meters().scrape())
                .contains("tributary_processor_records_consumed_total{writer=\"readings\"} 60");
    }

    @Test
    void shouldCommitNothingWhileInfluxIsUnreachableAndStoreEverythingOnceAfterwards() throws Exception {
        String prefix = "it-down.";
        String database = "it_down";
        String group = "it-down-writer";
        createTopicsAndDatabase(prefix, database);
        List<ReadingBatch> batches = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            batches.add(batch("dev-" + i % 4, i / 4 + 1, 3, i));
        }
        send(prefix, batches);

        Processor unreachable = start(config(prefix, group, "http://127.0.0.1:" + closedPort(), database));
        await().atMost(DEADLINE).until(() -> unreachable.meters().count("write.failures", "writer", "readings", "kind",
                "retryable") >= 5
                || !committedOffsets(group).isEmpty());
        assertThat(committedOffsets(group)).isEmpty();
        assertThat(unreachable.meters().count("points.written", "writer", "readings")).isZero();
        assertThat(unreachable.meters().count("deadlettered", "writer", "readings")).isZero();

        long closeStart = System.nanoTime();
        unreachable.close();
        unreachable.close(); // idempotent
        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).isLessThan(Duration.ofSeconds(10));
        assertThat(unreachable.isRunning()).isFalse();
        assertThat(committedOffsets(group)).isEmpty();
        assertThat(countByDevice(database)).isEmpty();

        Processor recovered = start(config(prefix, group, stack.influxUrl(), database));

        await().atMost(DEADLINE).until(() -> committedTotal(prefix, group) == 12);
        assertThat(countByDevice(database)).isEqualTo(Map.of("dev-0", 9L, "dev-1", 9L, "dev-2", 9L, "dev-3", 9L));
        assertThat(recovered.meters().count("points.written", "writer", "readings")).isEqualTo(36);
    }

    @Test
    void shouldKeepRetryingAMissingBucketWithoutLeavingTheGroupAndWriteOnceItExists() throws Exception {
        String prefix = "it-bucket.";
        String database = "it_bucket_late";
        stack.createTopics(PARTITIONS, prefix + "telemetry", prefix + "deadletter");
        List<ReadingBatch> batches = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batches.add(batch("dev-" + i % 2, i / 2 + 1, 4, i));
        }
        send(prefix, batches);

        // A short max.poll.interval.ms: a writer that blocked in its retry loop instead of polling would be thrown
        // out of the group, and would write the same records a second time after rejoining.
        Processor processor = start(config(prefix, prefix + "writer", stack.influxUrl(), database)
                .toBuilder().consumerOverrides(Map.of(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "2000")).build());
        await().atMost(DEADLINE).until(() -> processor.meters().count("write.failures", "writer", "readings", "kind",
                "retryable") >= 3
                || !committedOffsets(prefix + "writer").isEmpty());
        Thread.sleep(3_000); // longer than max.poll.interval.ms, on purpose: InfluxDB stays misconfigured meanwhile
        assertThat(committedOffsets(prefix + "writer")).isEmpty();

        influxQuery("CREATE DATABASE " + database);

        await().atMost(DEADLINE).until(() -> committedTotal(prefix, prefix + "writer") == 6);
        assertThat(countByDevice(database)).isEqualTo(Map.of("dev-0", 12L, "dev-1", 12L));
        assertThat(processor.meters().count("points.written", "writer", "readings")).isEqualTo(24);
        assertThat(processor.meters().count("deadlettered", "writer", "readings")).isZero();
    }

    @Test
    void shouldDeadLetterMalformedAndRejectedRecordsWithTheReasonAndStoreAllOthers() throws Exception {
        String prefix = "it-poison.";
        String database = "it_poison";
        String group = "it-poison-writer";
        createTopicsAndDatabase(prefix, database);
        // Someone wrote "value" as a string into the June 2024 shard: any float "value" there is a field type
        // conflict. (Within the contract's event-time window of these tests; countByDevice stops before 2024.)
        long poisonedShard = Instant.parse("2024-06-01T01:46:40Z").getEpochSecond() * 1_000_000_000L;
        influxWrite(database, "readings,device=poison,sensor=s value=\"text\" " + poisonedShard);

        List<ReadingBatch> good = List.of(batch("dev-1", 1, 4, 1), batch("dev-2", 1, 4, 2), batch("dev-1", 2, 4, 3));
        ReadingBatch rejected = ReadingBatch.newBuilder().setDeviceId("poison").setBatchSeq(1)
                .addReadings(Reading.newBuilder().setSensor("s").setValue(1.5).setEventTimeUnixNanos(poisonedShard + 1))
                .build();
        byte[] garbage = "definitely not protobuf".getBytes(StandardCharsets.UTF_8);
        // All to one partition, poisoned records in the middle: the ones behind them must still be stored.
        send(prefix, 0, "dev-1", good.get(0).toByteArray(), null);
        send(prefix, 0, "dev-9", garbage, "devices/dev-9/telemetry");
        send(prefix, 0, "poison", rejected.toByteArray(), null);
        send(prefix, 0, "dev-2", good.get(1).toByteArray(), null);
        send(prefix, 0, "dev-1", good.get(2).toByteArray(), null);

        Processor processor = start(config(prefix, group, stack.influxUrl(), database));

        await().atMost(DEADLINE).until(() -> committedTotal(prefix, group) == 5);
        assertThat(countByDevice(database)).isEqualTo(Map.of("dev-1", 8L, "dev-2", 4L));
        List<ConsumerRecord<byte[], byte[]>> deadLetters = readAll(prefix + "deadletter", 2);
        assertThat(deadLetters).hasSize(2);

        ConsumerRecord<byte[], byte[]> malformed = deadLetters.get(0);
        assertThat(new String(malformed.key(), StandardCharsets.UTF_8)).isEqualTo("dev-9");
        assertThat(malformed.value()).isEqualTo(garbage);
        assertThat(header(malformed, KafkaDeadLetterPublisher.HEADER_REASON))
                .isEqualTo(DeadLetterReason.PAYLOAD_FORMAT_INVALID);
        assertThat(header(malformed, KafkaDeadLetterPublisher.HEADER_DEVICE)).isEqualTo("dev-9");
        assertThat(header(malformed, KafkaDeadLetterPublisher.HEADER_MQTT_TOPIC)).isEqualTo("devices/dev-9/telemetry");
        assertThat(header(malformed, KafkaDeadLetterPublisher.HEADER_SOURCE_OFFSET)).isEqualTo("1");

        ConsumerRecord<byte[], byte[]> conflict = deadLetters.get(1);
        assertThat(conflict.value()).isEqualTo(rejected.toByteArray());
        assertThat(header(conflict, KafkaDeadLetterPublisher.HEADER_REASON)).isEqualTo(DeadLetterReason.INFLUX_REJECTED);
        assertThat(header(conflict, KafkaDeadLetterPublisher.HEADER_REASON_DETAIL)).startsWith("HTTP 400")
                .contains("field type conflict");
        assertThat(header(conflict, KafkaDeadLetterPublisher.HEADER_DEVICE)).isEqualTo("poison");

        assertThat(processor.meters().count("deadlettered", "writer", "readings")).isEqualTo(2);
        assertThat(processor.meters().count("write.failures", "writer", "readings", "kind", "rejected"))
                .isGreaterThanOrEqualTo(1);
        assertThat(processor.meters().count("points.written", "writer", "readings")).isEqualTo(12);
    }

    // --- issue 17: outage vs poison, the contract re-checked, dead letters listed and replayed ---

    @Test
    void shouldTreatAFrontThatLosesEveryBodyAsAnOutageNotPoisonAndStoreEverythingOnceWhenFixed() throws Exception {
        String prefix = "it-front.";
        String database = "it_front";
        String group = "it-front-writer";
        createTopicsAndDatabase(prefix, database);
        List<ReadingBatch> batches = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            batches.add(batch("dev-" + i % 4, i / 4 + 1, 3, i));
        }
        send(prefix, batches);
        // A front of InfluxDB that loses the (gzip, chunked) request bodies: influxd answers 400 to every write.
        try (SwitchableHttpProxy front = new SwitchableHttpProxy(stack.influxUrl())) {
            front.dropBodies = true;
            ProcessorConfig base = config(prefix, group, front.url(), database);
            Processor processor = start(base.toBuilder().analytics(AnalyticsConfig.builder().enabled(false).influxGzip(true)
                    .http("127.0.0.1", 0).build()).build());

            await().atMost(DEADLINE).until(() -> processor.meters().count("write.failures", "writer", "readings", "kind",
                    "rejected") >= 5);
            assertThat(processor.isReady()).isFalse();
            assertThat(processor.meters().writePathOutage()).hasValueSatisfying(why -> assertThat(why)
                    .contains("readings writer").contains("probe").contains("HTTP 400"));
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + processor.httpPort().orElseThrow() + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("write path down");
            assertThat(processor.meters().scrape())
                    .contains("tributary_processor_write_path_up{writer=\"readings\"} 0")
                    .contains("tributary_processor_write_outage_retries_total{kind=\"rejected_wholesale\",writer=\"readings\"}");
            assertThat(processor.meters().count("deadlettered", "writer", "readings")).isZero();
            assertThat(committedOffsets(group)).isEmpty();
            assertThat(countByDevice(database)).isEmpty();

            front.dropBodies = false;

            await().atMost(DEADLINE).until(() -> committedTotal(prefix, group) == 12);
            await().atMost(DEADLINE).until(processor::isReady);
            assertThat(countByDevice(database)).isEqualTo(Map.of("dev-0", 9L, "dev-1", 9L, "dev-2", 9L, "dev-3", 9L));
            assertThat(processor.meters().count("deadlettered", "writer", "readings")).isZero();
            assertThat(endOffsets(prefix + "deadletter")).isZero();
        }
    }

    @Test
    void shouldDeadLetterWholeWhatBreaksTheContractByRuleAndStoreHugeFiniteValues() throws Exception {
        String prefix = "it-contract.";
        String database = "it_contract";
        String group = "it-contract-writer";
        createTopicsAndDatabase(prefix, database);
        long now = System.currentTimeMillis() * 1_000_000L;
        ReadingBatch nan = ReadingBatch.newBuilder().setDeviceId("dev-nan").setBatchSeq(1)
                .addReadings(reading("temp", 20, now)).addReadings(reading("temp", Double.NaN, now + 1))
                .addReadings(reading("temp", 21, now + 2)).build();
        ReadingBatch future = ReadingBatch.newBuilder().setDeviceId("dev-2200").setBatchSeq(1)
                .addReadings(reading("temp", 20, Instant.parse("2200-01-01T00:00:00Z").getEpochSecond()
                        * 1_000_000_000L)).build();
        ReadingBatch huge = ReadingBatch.newBuilder().setDeviceId("dev-huge").setBatchSeq(1)
                .addReadings(reading("temp", 1e308, now)).addReadings(reading("temp", 1e308, now + 1)).build();
        send(prefix, 0, "dev-nan", nan.toByteArray(), null);
        send(prefix, 0, "dev-2200", future.toByteArray(), null);
        send(prefix, 0, "dev-huge", huge.toByteArray(), null);

        ProcessorConfig base = config(prefix, group, stack.influxUrl(), database);
        Processor processor = start(base.toBuilder().analytics(AnalyticsConfig.builder().enabled(false).build())
                .inputContract(InputContract.DEFAULTS).build());

        await().atMost(DEADLINE).until(() -> committedTotal(prefix, group) == 3);
        List<ConsumerRecord<byte[], byte[]>> deadLetters = readAll(prefix + "deadletter", 2);
        assertThat(deadLetters).extracting(r -> header(r, KafkaDeadLetterPublisher.HEADER_REASON))
                .containsOnly(DeadLetterReason.CONTRACT_VIOLATION);
        assertThat(deadLetters).extracting(r -> header(r, KafkaDeadLetterPublisher.HEADER_CONTRACT_RULE))
                .containsExactly("value_not_finite", "event_time_in_future");
        assertThat(deadLetters).allSatisfy(r -> assertThat(header(r, KafkaDeadLetterPublisher.HEADER_DEADLETTERED_BY))
                .isEqualTo("processor/readings"));
        assertThat(processor.meters().count("contract.violations", "part", "writer")).isEqualTo(2L);
        assertThat(processor.meters().count("contract.violations", "part", "writer", "rule", "value_not_finite"))
                .isEqualTo(1L);
        assertThat(processor.meters().count("contract.violations", "part", "writer", "rule", "event_time_in_future"))
                .isEqualTo(1L);
        assertThat(processor.meters().scrape()).contains(
                "tributary_processor_deadlettered_total{reason=\"contract-violation\",writer=\"readings\"} 2")
                .contains("tributary_processor_contract_violations_total{part=\"writer\",rule=\"value_not_finite\"} 1");
        JsonObject stored = influxQuery(database, "SELECT count(value), max(value) FROM readings GROUP BY device");
        Map<String, Double> maxByDevice = new HashMap<>();
        for (JsonElement series : seriesOf(stored)) {
            JsonObject o = series.getAsJsonObject();
            maxByDevice.put(o.getAsJsonObject("tags").get("device").getAsString(),
                    o.getAsJsonArray("values").get(0).getAsJsonArray().get(2).getAsDouble());
        }
        assertThat(maxByDevice).isEqualTo(Map.of("dev-huge", 1e308)); // nothing of the NaN batch, nothing from 2200
        assertThat(processor.isRunning()).isTrue();
    }

    @Test
    void shouldListDeadLettersByReasonAndReplayChosenOnesOnceAfterTheCauseIsFixed() throws Exception {
        String prefix = "it-replay.";
        String database = "it_replay";
        String group = "it-replay-writer";
        createTopicsAndDatabase(prefix, database);
        long twoDaysAgo = (System.currentTimeMillis() - Duration.ofDays(2).toMillis()) * 1_000_000L;
        ReadingBatch outboxReplay = ReadingBatch.newBuilder().setDeviceId("dev-old").setBatchSeq(7)
                .addReadings(reading("temp", 20, twoDaysAgo)).addReadings(reading("temp", 21, twoDaysAgo + 1))
                .build();
        send(prefix, 0, "dev-old", outboxReplay.toByteArray(), "devices/dev-old/telemetry");
        send(prefix, 1, "dev-9", "garbage".getBytes(StandardCharsets.UTF_8), null);

        // Misconfigured: a max-event-age of one day refuses the readings an agent replays from two days of outbox.
        ProcessorConfig base = config(prefix, group, stack.influxUrl(), database);
        Processor strict = start(base.toBuilder().analytics(AnalyticsConfig.builder().enabled(false).build())
                .inputContract(InputContract.DEFAULTS.withMaxEventAge(Duration.ofDays(1))).build());
        await().atMost(DEADLINE).until(() -> committedTotal(prefix, group) == 2);
        strict.close();

        io.tributary.processor.cli.DeadLetters deadLetters = new io.tributary.processor.cli.DeadLetters(
                new io.tributary.common.KafkaClientConfig(stack.kafkaBootstrapServers(), Map.of()), prefix + "deadletter", Duration.ofSeconds(15));
        assertThat(deadLetters.countsByReason()).isEqualTo(Map.of(
                "contract-violation/event_time_too_old", Map.of("processor/readings", 1),
                DeadLetterReason.PAYLOAD_FORMAT_INVALID, Map.of("processor/readings", 1)));
        String listed = runCli("list", "--kafka-bootstrap", stack.kafkaBootstrapServers(), "--topic-prefix", prefix);
        assertThat(listed).containsPattern("contract-violation/event_time_too_old\\s+processor/readings\\s+1\\s+0");
        String shown = runCli("list", "--kafka-bootstrap", stack.kafkaBootstrapServers(), "--topic-prefix", prefix,
                "--reason", "event_time_too_old", "--limit", "5");
        assertThat(shown).contains("dev-old").contains("reading 0").contains("1 of 1 dead letters");

        // The cause fixed (the default 30 days), the dead letters of that reason go back where they came from.
        start(base.toBuilder().analytics(AnalyticsConfig.builder().enabled(false).build()).inputContract(InputContract.DEFAULTS).build());
        String replayed = runCli("replay", "--kafka-bootstrap", stack.kafkaBootstrapServers(), "--topic-prefix",
                prefix, "--reason", "event_time_too_old", "--device", "dev-old", "--since", "1h");
        assertThat(replayed).contains("replayed 1 dead letters");
        await().atMost(DEADLINE).until(() -> committedTotal(prefix, group) == 3);
        JsonObject stored = influxQuery(database, "SELECT count(value) FROM readings WHERE device = 'dev-old'");
        assertThat(seriesOf(stored).get(0).getAsJsonObject().getAsJsonArray("values").get(0).getAsJsonArray().get(1)
                .getAsLong()).isEqualTo(2);

        // At most once: a second replay finds it done; the list shows it replayed.
        assertThat(deadLetters.replay(d -> d.hasReason("event_time_too_old"), false).replayed()).isZero();
        assertThat(runCli("replay", "--kafka-bootstrap", stack.kafkaBootstrapServers(), "--topic-prefix", prefix,
                "--reason", "event_time_too_old")).contains("replayed 0 dead letters").contains("1 replayed before");
        assertThat(runCli("list", "--kafka-bootstrap", stack.kafkaBootstrapServers(), "--topic-prefix", prefix))
                .containsPattern("contract-violation/event_time_too_old\\s+processor/readings\\s+1\\s+1");
        List<ConsumerRecord<byte[], byte[]>> telemetry = readAll(prefix + "telemetry", 3, false);
        assertThat(telemetry).filteredOn(r -> header(r, io.tributary.processor.cli.DeadLetters.HEADER_REPLAYED_FROM)
                != null).singleElement().satisfies(r -> {
                    assertThat(r.value()).isEqualTo(outboxReplay.toByteArray());
                    assertThat(header(r, KafkaDeadLetterPublisher.HEADER_MQTT_TOPIC))
                            .isEqualTo("devices/dev-old/telemetry");
                });
    }

    private static String runCli(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new io.tributary.processor.cli.DeadLetterMain());
        cli.setOut(new java.io.PrintWriter(out));
        cli.setErr(new java.io.PrintWriter(out));
        int code = cli.execute(args);
        assertThat(code).as("exit code of deadletter %s: %s", List.of(args), out).isZero();
        return out.toString();
    }

    private static long endOffsets(String topic) throws Exception {
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(new TopicPartition(topic, p.partition()),
                org.apache.kafka.clients.admin.OffsetSpec.latest()));
        return admin.listOffsets(request).all().get().values().stream().mapToLong(i -> i.offset()).sum();
    }

    private static Reading reading(String sensor, double value, long eventTimeNanos) {
        return Reading.newBuilder().setSensor(sensor).setValue(value).setEventTimeUnixNanos(eventTimeNanos).build();
    }

    // --- helpers ---

    private Processor start(ProcessorConfig config) {
        Processor processor = new Processor(config);
        processors.add(processor);
        processor.start();
        return processor;
    }

    private static ProcessorConfig config(String prefix, String group, String influxUrl, String bucket) {
        return ProcessorConfig.builder().kafkaBootstrapServers(stack.kafkaBootstrapServers()).topicPrefix(prefix)
                .consumerGroup(group)
                .influx(influxUrl, stack.influxToken(), stack.influxOrg(), bucket).maxPointsPerWrite(5_000)
                .pollTimeout(Duration.ofMillis(200))
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .influxRequestTimeout(Duration.ofSeconds(5))
                .closeTimeout(Duration.ofSeconds(8))
                // The test data is dated November 2023: accept event times up to the contract's 10-year limit.
                .inputContract(InputContract.DEFAULTS.withMaxEventAge(InputContract.MAX_EVENT_AGE_LIMIT)).build();
    }

    private static void createTopicsAndDatabase(String prefix, String database) throws Exception {
        stack.createTopics(PARTITIONS, prefix + "telemetry", prefix + "deadletter");
        influxQuery("CREATE DATABASE " + database);
    }

    /** A batch whose readings have distinct, deliberately un-round nanosecond event times. */
    private static ReadingBatch batch(String device, long seq, int readings, int salt) {
        long base = 1_700_000_000_000_000_000L + salt * 10_000_000_019L;
        // Names with the punctuation the input contract allows (spaces and commas it refuses).
        return TestBatches.batch(device).seq(seq).createdAt(base + 999)
                .add(readings, r -> TestBatches.reading(r % 2 == 0 ? "cpu.temp" : "humidity:rel/2", salt + r / 10.0,
                        base + r * 1_000_003L + 7).setUnit("u"))
                .build();
    }

    private static Set<Long> eventTimes(List<ReadingBatch> batches, String device) {
        return batches.stream().filter(b -> b.getDeviceId().equals(device))
                .flatMap(b -> b.getReadingsList().stream()).map(Reading::getEventTimeUnixNanos)
                .collect(Collectors.toSet());
    }

    private static void send(String prefix, List<ReadingBatch> batches) throws Exception {
        for (ReadingBatch batch : batches) {
            TestProducers.send(producer, prefix + "telemetry", batch).get();
        }
    }

    private static void send(String prefix, int partition, String key, byte[] value, String mqttTopic)
            throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(prefix + "telemetry", partition,
                key.getBytes(StandardCharsets.UTF_8), value);
        if (mqttTopic != null) {
            record.headers().add(KafkaDeadLetterPublisher.HEADER_MQTT_TOPIC, mqttTopic.getBytes(StandardCharsets.UTF_8));
        }
        producer.send(record).get();
    }

    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(String group)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        offsets.forEach((tp, o) -> {
            if (o != null) {
                result.put(tp, o);
            }
        });
        return result;
    }

    /** Sum of committed offsets on the telemetry topic (= records committed when starting from 0). */
    private static long committedTotal(String prefix, String group) throws Exception {
        return committedOffsets(group).entrySet().stream()
                .filter(e -> e.getKey().topic().equals(prefix + "telemetry"))
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** {@code SELECT count(value) FROM readings GROUP BY device}, only 2020-2023 (see the poison test). */
    private static Map<String, Long> countByDevice(String database) throws Exception {
        JsonObject result = influxQuery(database, "SELECT count(value) FROM readings WHERE time > "
                + "'2020-01-01T00:00:00Z' AND time < '2024-01-01T00:00:00Z' GROUP BY device");
        Map<String, Long> counts = new HashMap<>();
        for (JsonElement series : seriesOf(result)) {
            JsonObject s = series.getAsJsonObject();
            counts.put(s.getAsJsonObject("tags").get("device").getAsString(),
                    s.getAsJsonArray("values").get(0).getAsJsonArray().get(1).getAsLong());
        }
        return counts;
    }

    private static Set<Long> storedTimes(String database, String device) throws Exception {
        JsonObject result = influxQuery(database, "SELECT value FROM readings WHERE device = '" + device + "'");
        Set<Long> times = new HashSet<>();
        for (JsonElement series : seriesOf(result)) {
            for (JsonElement row : series.getAsJsonObject().getAsJsonArray("values")) {
                times.add(row.getAsJsonArray().get(0).getAsLong());
            }
        }
        return times;
    }

    private static JsonArray seriesOf(JsonObject result) {
        JsonObject first = result.getAsJsonArray("results").get(0).getAsJsonObject();
        assertThat(first.has("error")).as("InfluxQL error: %s", first).isFalse();
        return first.has("series") ? first.getAsJsonArray("series") : new JsonArray();
    }

    private static JsonObject influxQuery(String statement) throws Exception {
        return influxQuery(null, statement);
    }

    private static JsonObject influxQuery(String database, String statement) throws Exception {
        String query = "q=" + URLEncoder.encode(statement, StandardCharsets.UTF_8) + "&epoch=ns"
                + (database == null ? "" : "&db=" + URLEncoder.encode(database, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.influxDirectUrl() + "/query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(query)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("query %s: %s", statement, response.body()).isEqualTo(200);
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    private static void influxWrite(String database, String line) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.influxDirectUrl() + "/write?precision=n&db="
                + URLEncoder.encode(database, StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(line)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("write: %s", response.body()).isEqualTo(204);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        return readAll(topic, expected, true);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected,
            boolean sortBySourceOffset) {
        List<ConsumerRecord<byte[], byte[]>> records = KafkaTestTopics.awaitRecords(stack.kafkaBootstrapServers(),
                topic, expected, DEADLINE, false);
        if (!sortBySourceOffset) {
            return records;
        }
        records.sort((a, b) -> Long.compare(
                Long.parseLong(header(a, KafkaDeadLetterPublisher.HEADER_SOURCE_OFFSET)),
                Long.parseLong(header(b, KafkaDeadLetterPublisher.HEADER_SOURCE_OFFSET))));
        return records;
    }
}
