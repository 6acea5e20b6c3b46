package io.tributary.gateway;

import static io.tributary.testing.kafka.KafkaTestTopics.header;
import static io.tributary.testing.kafka.KafkaTestTopics.records;
import static io.tributary.testing.mqtt.MqttTestClients.telemetry;
import io.tributary.contract.KafkaHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contract.InputContract;
import io.tributary.gateway.kafka.KafkaRecords;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import io.tributary.proto.v1.Reading;
import io.tributary.testing.TestResources;
import io.tributary.testing.batch.TestBatches;
import io.tributary.testing.mqtt.MqttTestClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The input contract end to end: a gateway configured as {@code GatewayMain} would, real Paho MQTT 5 clients, the
 * real in-JVM Kafka broker, the real {@code /metrics} endpoint. Each hostile batch gets 0x99 and the documented
 * reason, lands in the dead-letter topic with its rule and a bounded payload, and is counted by rule; valid batches
 * (1e308 included) get 0x00 and reach the telemetry topic.
 */
class ContractEnforcementIT {

    private static final String PREFIX = "contract.";
    private static final String TELEMETRY = PREFIX + "telemetry";
    private static final String DEADLETTER = PREFIX + "deadletter";
    private static final int DEAD_LETTER_BYTES = 512;

    private static LocalStack stack;
    private static Gateway gateway;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalStackOptions.defaults().withStartInflux(false));
        stack.createTopics(1, TELEMETRY, DEADLETTER, PREFIX + "device-status");
        gateway = new Gateway(GatewayConfig.builder()
                .mqttHost("127.0.0.1")
                .mqttPort(0)
                .httpPort(0)
                .kafkaBootstrapServers(stack.kafkaBootstrapServers())
                .topicPrefix(PREFIX)
                .inputContract(InputContract.DEFAULTS.withMaxSensorsPerDevice(4))
                .deadLetterMaxPayloadBytes(DEAD_LETTER_BYTES).build());
        gateway.start().toCompletableFuture().join();
    }

    @AfterAll
    static void stop() {
        TestResources.closeAll(gateway, stack);
    }

    private static Reading.Builder reading(String sensor, double value) {
        return Reading.newBuilder().setSensor(sensor).setUnit("°C").setValue(value)
                .setEventTimeUnixNanos(System.currentTimeMillis() * 1_000_000L);
    }

    private static byte[] batch(String device, long seq, Reading.Builder... readings) {
        return TestBatches.batch(device).seq(seq).add(readings).toByteArray();
    }

    private static String[] publish(MqttTestClients.V5 client, String device, byte[] payload) throws Exception {
        IMqttToken token = client.publish(telemetry(device), payload, 1);
        token.waitForCompletion(20_000);
        String reason = token.getResponseProperties() == null ? null
                : token.getResponseProperties().getReasonString();
        return new String[] {Integer.toString(token.getReasonCodes()[0]), reason};
    }

    @Test
    void refusesHostileBatchesWithTheDocumentedAnswersAndDeadLetters() throws Exception {
        String device = "contract-dev";
        byte[] valid = batch(device, 1, reading("temp", 21.5));
        byte[] huge = batch(device, 2, reading("temp", 1e308), reading("hum", -1e308));
        long year2200 = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
        byte[] future = batch(device, 3, reading("temp", 1), reading("temp", 2).setEventTimeUnixNanos(year2200));
        Reading.Builder[] longBatch = new Reading.Builder[100];
        for (int i = 0; i < longBatch.length; i++) {
            longBatch[i] = reading("temp", i);
        }
        longBatch[0].setValue(Double.NaN);
        byte[] nan = batch(device, 4, longBatch);
        byte[] badName = batch(device, 5, reading("temp\nINFO forged log line", 1));
        byte[] flood = batch(device, 6, reading("a", 1), reading("b", 1), reading("c", 1));
        byte[] validAgain = batch(device, 7, reading("hum", 40), reading("temp", 22));

        try (MqttTestClients.V5 client = MqttTestClients.v5(gateway.mqttPort(), device)) {
            assertThat(publish(client, device, valid)[0]).isEqualTo("0");
            assertThat(publish(client, device, huge)[0]).as("1e308 is finite").isEqualTo("0");
            String[] refusedFuture = publish(client, device, future);
            assertThat(refusedFuture[0]).isEqualTo("153"); // 0x99
            assertThat(refusedFuture[1]).startsWith("reading 1 (sensor 'temp'): event time 2200-01-01T00:00:00Z is"
                    + " more than 5m ahead of the receiving clock");
            assertThat(publish(client, device, nan)).containsExactly("153",
                    "reading 0 (sensor 'temp'): value NaN is not finite");
            assertThat(publish(client, device, badName)[1])
                    .startsWith("reading 0 (sensor 'temp\\u000aINFO forged log line'): sensor name holds U+000A at 4");
            assertThat(publish(client, device, flood)).containsExactly("153", "reading 2 (sensor 'c'): device would"
                    + " use more than the maximum of 4 distinct sensor names (it has 2)");
            assertThat(publish(client, device, validAgain)[0]).isEqualTo("0");
        }

        assertThat(records(stack.kafkaBootstrapServers(), TELEMETRY, device)).extracting(ConsumerRecord::value)
                .containsExactly(valid, huge, validAgain);
        List<ConsumerRecord<String, byte[]>> dead = records(stack.kafkaBootstrapServers(), DEADLETTER, device);
        assertThat(dead).extracting(r -> header(r, KafkaHeaders.CONTRACT_RULE))
                .containsExactly("event_time_in_future", "value_not_finite", "sensor_name_invalid",
                        "too_many_sensors");
        assertThat(dead).allSatisfy(r -> assertThat(header(r, KafkaHeaders.REASON))
                .isEqualTo("contract-violation"));
        assertThat(dead.get(0).value()).isEqualTo(future);
        assertThat(nan.length).isGreaterThan(DEAD_LETTER_BYTES);
        assertThat(dead.get(1).value()).hasSize(DEAD_LETTER_BYTES);
        assertThat(header(dead.get(1), KafkaHeaders.PAYLOAD_BYTES)).isEqualTo(Integer.toString(nan.length));
        assertThat(header(dead.get(1), KafkaHeaders.PAYLOAD_TRUNCATED)).isEqualTo("true");

        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body())
                .contains("tributary_gateway_contract_violations_total{rule=\"event_time_in_future\"} 1\n")
                .contains("tributary_gateway_contract_violations_total{rule=\"value_not_finite\"} 1\n")
                .contains("tributary_gateway_contract_violations_total{rule=\"sensor_name_invalid\"} 1\n")
                .contains("tributary_gateway_contract_violations_total{rule=\"too_many_sensors\"} 1\n")
                .contains("tributary_gateway_rejections_total{reason=\"contract-violation\"} 4\n");
    }
}
