package io.tributary.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.InfluxQLQuery;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.exceptions.BadRequestException;
import com.influxdb.query.InfluxQLQueryResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One real stack (in-JVM Kafka, real influxd, the v2 endpoint) shared by the tests of this class. */
class LocalStackIT {

    private static LocalStack stack;
    private static InfluxDBClient influx;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start();
        influx = InfluxDBClientFactory.create(stack.influxUrl(), stack.influxToken().toCharArray(), stack.influxOrg(),
                stack.influxBucket());
    }

    @AfterAll
    static void stopStack() {
        if (influx != null) {
            influx.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    // ---- Kafka ----

    @Test
    void shouldRoundTripARecordThroughTheBroker() throws Exception {
        String topic = "it.roundtrip";
        stack.createTopics(3, topic);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, "device-1", "hello")).get();
            assertThat(sent.topic()).isEqualTo(topic);
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return !records.isEmpty();
            });
            assertThat(records).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo("device-1");
                assertThat(r.value()).isEqualTo("hello");
            });
            consumer.commitSync();
        }
    }

    @Test
    void shouldAutoCreateATopicOnFirstProduce() throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers()), new StringSerializer(),
                new StringSerializer())) {
            assertThat(producer.send(new ProducerRecord<>("it.auto-created", "k", "v")).get().partition()).isZero();
        }
    }

    @Test
    void shouldTreatCreatingAnExistingTopicAsDone() throws Exception {
        stack.createTopics(3, "it.idempotent", "it.idempotent-2");
        stack.createTopics(3, "it.idempotent");
        stack.createTopics(5, "it.idempotent", "it.idempotent-3");

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.kafkaBootstrapServers()))) {
            var topics = admin.describeTopics(List.of("it.idempotent", "it.idempotent-2", "it.idempotent-3"))
                    .allTopicNames().get();
            assertThat(topics.get("it.idempotent").partitions()).hasSize(3);
            assertThat(topics.get("it.idempotent-2").partitions()).hasSize(3);
            assertThat(topics.get("it.idempotent-3").partitions()).hasSize(5);
            assertThat(topics.get("it.idempotent").partitions())
                    .allSatisfy(p -> assertThat(p.replicas()).hasSize(1));
        }
    }

    @Test
    void shouldRejectZeroPartitions() {
        assertThatThrownBy(() -> stack.createTopics(0, "it.none")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- InfluxDB through the v2 write endpoint ----

    private static List<Long> times(String measurement) {
        InfluxQLQueryResult result = influx.getInfluxQLQueryApi().query(
                new InfluxQLQuery("SELECT \"value\" FROM \"" + measurement + "\"", stack.influxBucket())
                        .setPrecision(InfluxQLQuery.InfluxQLPrecision.NANOSECONDS));
        List<Long> times = new ArrayList<>();
        for (InfluxQLQueryResult.Result r : result.getResults()) {
            for (InfluxQLQueryResult.Series series : r.getSeries()) {
                for (InfluxQLQueryResult.Series.Record record : series.getValues()) {
                    times.add(Long.parseLong(String.valueOf(record.getValueByKey("time"))));
                }
            }
        }
        return times;
    }

    @Test
    void shouldStoreMicrosecondTimestampsAsMicrosecondsNotNanoseconds() {
        influx.getWriteApiBlocking().writeRecord(WritePrecision.US,
                "precision_us,device=d1,sensor=t value=1.5 1700000000123456");

        assertThat(times("precision_us")).containsExactly(1_700_000_000_123_456_000L);
    }

    @Test
    void shouldStoreNanosecondTimestampsExactly() {
        influx.getWriteApiBlocking().writeRecord(WritePrecision.NS,
                "precision_ns,device=d1,sensor=t value=2.5 1700000000123456789");

        assertThat(times("precision_ns")).containsExactly(1_700_000_000_123_456_789L);
    }

    @Test
    void shouldStoreMillisecondAndSecondTimestampsExactly() {
        WriteApiBlocking writes = influx.getWriteApiBlocking();
        writes.writeRecord(WritePrecision.MS, "precision_ms,device=d1,sensor=t value=1 1700000000123");
        writes.writeRecord(WritePrecision.S, "precision_s,device=d1,sensor=t value=1 1700000000");

        assertThat(times("precision_ms")).containsExactly(1_700_000_000_123_000_000L);
        assertThat(times("precision_s")).containsExactly(1_700_000_000_000_000_000L);
    }

    @Test
    void shouldWriteGzippedBatches() {
        try (InfluxDBClient gzipClient = InfluxDBClientFactory.create(stack.influxUrl(),
                stack.influxToken().toCharArray(), stack.influxOrg(), stack.influxBucket())) {
            gzipClient.enableGzip();
            gzipClient.getWriteApiBlocking().writeRecords(WritePrecision.NS, List.of(
                    "gzipped,device=d1,sensor=t value=1 1000",
                    "gzipped,device=d1,sensor=t value=2 2000"));
        }

        assertThat(times("gzipped")).containsExactly(1000L, 2000L);
    }

    @Test
    void shouldNotDoubleAPointThatIsWrittenAgain() {
        String line = "rewritten,device=d1,sensor=t value=3.5 1700000000000000001";
        influx.getWriteApiBlocking().writeRecord(WritePrecision.NS, line);
        influx.getWriteApiBlocking().writeRecord(WritePrecision.NS, line);

        assertThat(times("rewritten")).containsExactly(1_700_000_000_000_000_001L);
    }

    @Test
    void shouldReportAFieldTypeConflictWithInfluxdsReason() {
        WriteApiBlocking writes = influx.getWriteApiBlocking();
        writes.writeRecord(WritePrecision.NS, "conflict,device=d1,sensor=t value=1.0 1");

        assertThatThrownBy(() -> writes.writeRecord(WritePrecision.NS, "conflict,device=d1,sensor=t value=\"text\" 2"))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("field type conflict")
                .hasMessageContaining("already exists as type float");
        assertThat(times("conflict")).containsExactly(1L);
    }

    @Test
    void shouldReportGarbageWithInfluxdsReason() {
        assertThatThrownBy(() -> influx.getWriteApiBlocking().writeRecord(WritePrecision.NS, "this is not a point"))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("unable to parse");
    }

    @Test
    void shouldReportAMissingBucketAsNotFound() {
        assertThatThrownBy(() -> influx.getWriteApiBlocking().writeRecord("no_such_bucket", stack.influxOrg(),
                WritePrecision.NS, "m value=1 1"))
                .hasMessageContaining("database not found");
    }

    @Test
    void shouldPassPingAndQueryThroughToInfluxd() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<Void> ping = http.send(HttpRequest.newBuilder(URI.create(stack.influxUrl() + "/ping")).build(),
                HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> query = http.send(HttpRequest.newBuilder(URI.create(stack.influxUrl()
                + "/query?q=SHOW+DATABASES")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(ping.statusCode()).isEqualTo(204);
        assertThat(ping.headers().firstValue("X-Influxdb-Version")).hasValueSatisfying(
                v -> assertThat(v).startsWith("1.6"));
        assertThat(query.statusCode()).isEqualTo(200);
        assertThat(query.body()).contains("\"" + stack.influxBucket() + "\"");
    }

    @Test
    void shouldServeTheSameDataOnTheDirectUrl() throws Exception {
        influx.getWriteApiBlocking().writeRecord(WritePrecision.NS, "direct,device=d1,sensor=t value=1 42");

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                stack.influxDirectUrl() + "/query?db=" + stack.influxBucket()
                        + "&epoch=ns&q=SELECT+value+FROM+direct")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.body()).contains("[42,1]");
    }

    @Test
    void shouldExposeTheAdvertisedSettings() {
        assertThat(stack.kafkaBootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(stack.influxUrl()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(stack.influxDirectUrl()).matches("http://127\\.0\\.0\\.1:\\d+").isNotEqualTo(stack.influxUrl());
        assertThat(stack.influxToken()).isEqualTo("local-stack");
        assertThat(stack.influxOrg()).isEqualTo("tributary");
        assertThat(stack.influxBucket()).isEqualTo("telemetry");
        assertThat(stack.dataDir()).isDirectory();
        assertThat(stack.influxdProcess()).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
    }
}
