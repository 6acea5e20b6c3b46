package io.tributary.gateway.mqtt;

import static io.tributary.testing.kafka.KafkaTestTopics.header;
import static io.tributary.testing.mqtt.MqttTestClients.telemetry;
import io.tributary.contract.KafkaHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contract.ContractRule;
import io.tributary.contract.InputContract;
import io.tributary.contract.SensorCardinality;
import io.tributary.gateway.DeviceLimits;
import io.tributary.gateway.RejectReason;
import io.tributary.gateway.auth.AcceptAllAuthenticator;
import io.tributary.gateway.kafka.KafkaRecords;
import io.tributary.gateway.metrics.MicrometerGatewayMetrics;
import io.tributary.gateway.registry.DeviceConfigs;
import io.tributary.gateway.testing.ControlledRecordSender;
import io.tributary.gateway.testing.TestSinks;
import io.tributary.testing.mqtt.MqttTestClients;
import io.tributary.gateway.validation.TelemetryValidator;
import io.tributary.proto.v1.Reading;
import io.tributary.testing.batch.TestBatches;
import io.tributary.testing.mqtt.MqttTestClients;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The input contract at the door, against real Paho MQTT 5 clients over TCP (Kafka's outcomes under the test's
 * control): a batch that breaks it is refused whole with PUBACK 0x99 and a reason string naming the reading and the
 * rule, dead-lettered with the rule and a bounded copy of the payload, and counted by rule; valid batches, huge finite
 * values included, still get 0x00.
 */
class ContractEnforcementTest {

    private static final int MAX_SENSORS = 8;
    private static final int DEAD_LETTER_BYTES = 1024;

    private final Vertx vertx = Vertx.vertx();
    private final ControlledRecordSender sender = new ControlledRecordSender();
    private final MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics();
    private final MqttListenerSettings settings = new MqttListenerSettings("127.0.0.1", 0, 64 * 1024, 16,
            Duration.ofSeconds(5), false, "gateway", DeviceLimits.DEFAULTS);
    private final InputContract contract = InputContract.DEFAULTS.withMaxSensorsPerDevice(MAX_SENSORS);
    private int port;

    @BeforeEach
    void startServer() throws Exception {
        TelemetryValidator validator = new TelemetryValidator(settings.maxPayloadBytes(), contract,
                new SensorCardinality(contract), TelemetryValidator.SYSTEM_CLOCK, metrics);
        MqttGatewayVerticle verticle = new MqttGatewayVerticle(settings, new AcceptAllAuthenticator(),
                TestSinks.kafka(sender, DEAD_LETTER_BYTES),
                metrics, new AtomicBoolean()::get, DeviceConfigs.NONE,
                new ConnectionLimiter(Integer.MAX_VALUE), null, validator, new DeviceSessions<>(settings.limits()),
                new ConnectionLimiter(settings.limits().maxPendingConnects()));
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = verticle.actualPort();
    }

    @AfterEach
    void stopServer() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static long now() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    private static Reading.Builder reading(String sensor, double value) {
        return Reading.newBuilder().setSensor(sensor).setUnit("degC").setValue(value).setEventTimeUnixNanos(now());
    }

    private static byte[] batch(String device, long seq, Reading.Builder... readings) {
        return TestBatches.batch(device).seq(seq).createdAt(now()).add(readings).toByteArray();
    }

    /** Publishes at QoS 1 and returns the PUBACK's reason code and reason string. */
    private static String[] publish(MqttTestClients.V5 device, String deviceId, byte[] payload) throws Exception {
        IMqttToken token = device.publish(telemetry(deviceId), payload, 1);
        token.waitForCompletion(10_000);
        String reason = token.getResponseProperties() == null ? null
                : token.getResponseProperties().getReasonString();
        return new String[] {Integer.toString(token.getReasonCodes()[0]), reason};
    }

    @Test
    void refusesEachKindOfViolationWholeAndStillAcceptsValidBatches() throws Exception {
        long year2200 = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            // Given a valid batch, and one whose values are huge but finite: both accepted
            assertThat(publish(device, "dev-1", batch("dev-1", 1, reading("temp", 21.5), reading("hum", 40)))[0])
                    .isEqualTo("0");
            assertThat(publish(device, "dev-1", batch("dev-1", 2, reading("temp", 1e308),
                    reading("hum", -Double.MAX_VALUE)))[0]).as("1e308 is finite").isEqualTo("0");

            // When a batch holds a reading from the year 2200
            String[] future = publish(device, "dev-1", batch("dev-1", 3, reading("a", 1), reading("b", 1),
                    reading("hum", 1), reading("temp", 1).setEventTimeUnixNanos(year2200)));
            // Then it is refused with 0x99 and a reason naming the reading and the rule
            assertThat(future[0]).isEqualTo(Integer.toString(0x99));
            assertThat(future[1]).startsWith("reading 3 (sensor 'temp'): event time 2200-01-01T00:00:00Z is more"
                    + " than 5m ahead of the");

            String[] nan = publish(device, "dev-1", batch("dev-1", 4, reading("temp", 1), reading("hum", Double.NaN)));
            assertThat(nan).containsExactly(Integer.toString(0x99), "reading 1 (sensor 'hum'): value NaN is not"
                    + " finite");

            String[] badName = publish(device, "dev-1", batch("dev-1", 5, reading("cpu temp, x=1", 1)));
            assertThat(badName[0]).isEqualTo(Integer.toString(0x99));
            assertThat(badName[1]).startsWith("reading 0 (sensor 'cpu temp, x=1'): sensor name holds U+0020 at 3");

            // And the device keeps its connection, and a valid batch after the refusals is accepted
            assertThat(device.client.isConnected()).isTrue();
            assertThat(publish(device, "dev-1", batch("dev-1", 6, reading("temp", 22)))[0]).isEqualTo("0");
        }

        // And every refused batch is dead-lettered whole with its rule, nothing of it reaches the telemetry topic
        assertThat(sender.records("t.telemetry")).hasSize(3);
        assertThat(sender.records("t.deadletter")).hasSize(3).allSatisfy(record -> {
            assertThat(header(record, KafkaHeaders.REASON)).isEqualTo("contract-violation");
            assertThat(header(record, KafkaHeaders.PAYLOAD_TRUNCATED)).isEqualTo("false");
        });
        assertThat(sender.records("t.deadletter")).extracting(r -> header(r, KafkaHeaders.CONTRACT_RULE))
                .containsExactly("event_time_in_future", "value_not_finite", "sensor_name_invalid");
        assertThat(header(sender.records("t.deadletter").get(0), KafkaHeaders.REASON_DETAIL))
                .contains("reading 3 (sensor 'temp')");

        // And counted by reason and by rule
        assertThat(metrics.snapshot().rejections(RejectReason.CONTRACT_VIOLATION)).isEqualTo(3);
        assertThat(metrics.contractViolations(ContractRule.EVENT_TIME_IN_FUTURE)).isEqualTo(1);
        assertThat(metrics.contractViolations(ContractRule.VALUE_NOT_FINITE)).isEqualTo(1);
        assertThat(metrics.contractViolations(ContractRule.SENSOR_NAME_INVALID)).isEqualTo(1);
        assertThat(metrics.scrape())
                .contains("tributary_gateway_contract_violations_total{rule=\"event_time_in_future\"} 1\n")
                .contains("tributary_gateway_contract_violations_total{rule=\"too_many_sensors\"} 0\n")
                .contains("tributary_gateway_rejections_total{reason=\"contract-violation\"} 3\n");
    }

    @Test
    void refusesASensorFloodButKeepsTheDevicesKnownSensors() throws Exception {
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            // Given a device that uses 6 sensors of its 8
            Reading.Builder[] six = new Reading.Builder[6];
            for (int i = 0; i < six.length; i++) {
                six[i] = reading("s" + i, i);
            }
            assertThat(publish(device, "dev-1", batch("dev-1", 1, six))[0]).isEqualTo("0");

            // When it sends a batch that would bring it to 9 distinct sensors
            String[] flood = publish(device, "dev-1", batch("dev-1", 2, reading("s0", 1), reading("new1", 1),
                    reading("new2", 1), reading("new3", 1)));

            // Then the whole batch is refused, naming the first reading that does not fit
            assertThat(flood).containsExactly(Integer.toString(0x99), "reading 3 (sensor 'new3'): device would use"
                    + " more than the maximum of 8 distinct sensor names (it has 6)");
            assertThat(header(sender.records("t.deadletter").get(0), KafkaHeaders.CONTRACT_RULE))
                    .isEqualTo("too_many_sensors");
            // And nothing of it was recorded: two new sensors still fit, and the known ones go on
            assertThat(publish(device, "dev-1", batch("dev-1", 3, reading("s5", 1), reading("new1", 1),
                    reading("new2", 1)))[0]).isEqualTo("0");
            assertThat(publish(device, "dev-1", batch("dev-1", 4, reading("s0", 1), reading("new2", 2)))[0])
                    .isEqualTo("0");
            assertThat(publish(device, "dev-1", batch("dev-1", 5, reading("new3", 1)))[0])
                    .isEqualTo(Integer.toString(0x99));
        }
        // Another device has its own sensors
        try (MqttTestClients.V5 other = MqttTestClients.v5(port, "dev-2")) {
            assertThat(publish(other, "dev-2", batch("dev-2", 1, reading("new3", 1)))[0]).isEqualTo("0");
        }
        assertThat(metrics.contractViolations(ContractRule.TOO_MANY_SENSORS)).isEqualTo(2);
    }

    @Test
    void keepsOnlyABoundedCopyOfALargeRefusedPayload() throws Exception {
        Reading.Builder[] many = new Reading.Builder[200];
        for (int i = 0; i < many.length; i++) {
            many[i] = reading("temp", i);
        }
        many[199].setValue(Double.POSITIVE_INFINITY);
        byte[] payload = batch("dev-1", 1, many);
        assertThat(payload.length).isGreaterThan(DEAD_LETTER_BYTES);
        try (MqttTestClients.V5 device = MqttTestClients.v5(port, "dev-1")) {
            assertThat(publish(device, "dev-1", payload)[0]).isEqualTo(Integer.toString(0x99));
        }

        ProducerRecord<String, byte[]> deadLetter = sender.records("t.deadletter").get(0);
        assertThat(deadLetter.value()).hasSize(DEAD_LETTER_BYTES)
                .isEqualTo(java.util.Arrays.copyOf(payload, DEAD_LETTER_BYTES));
        assertThat(header(deadLetter, KafkaHeaders.PAYLOAD_BYTES)).isEqualTo(Integer.toString(payload.length));
        assertThat(header(deadLetter, KafkaHeaders.PAYLOAD_TRUNCATED)).isEqualTo("true");
        assertThat(header(deadLetter, KafkaHeaders.CONTRACT_RULE)).isEqualTo("value_not_finite");
    }
}
