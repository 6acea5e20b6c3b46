package io.tributary.processor.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.tributary.processor.writer.DeadLetterPublisher;
import io.tributary.processor.writer.DeadLetterReason;
import io.tributary.proto.v1.AlertEvent;

/** The notifier against a real HTTP server: no alert's content can stop it, and the headers stay valid. */
class WebhookNotifierTest {

    private static final String TOPIC = "t.alerts";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final List<String> keysReceived = new CopyOnWriteArrayList<>();
    private final List<String> deadLetters = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private WebhookNotifier notifier;
    private Thread thread;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            exchange.getRequestBody().readAllBytes();
            // The receiver refuses alerts of the rule "refused" for good.
            int status = key.contains("/refused/") ? 422 : 204;
            if (status == 204) {
                keysReceived.add(key);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (notifier != null) {
            notifier.shutdown();
            thread.join(5_000);
        }
        server.stop(0);
    }

    @Test
    void shouldDeliverAlertsWithNonAsciiNamesAndSkipRefusedOnesWithoutStopping() {
        DeadLetterPublisher publisher = new DeadLetterPublisher() {
            @Override
            public void publish(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason, String detail) {
                deadLetters.add(reason + "@" + record.offset());
            }

            @Override
            public void close() {
            }
        };
        notifier = new WebhookNotifier(consumer, TOPIC, "http://127.0.0.1:" + server.getAddress().getPort()
                + "/hook", new WebhookNotifier.Settings(Duration.ofMillis(20), Duration.ofMillis(5),
                        Duration.ofMillis(20), Duration.ofSeconds(5), Duration.ofSeconds(1)), publisher);
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.updateBeginningOffsets(Map.of(P0, 0L));
            consumer.seek(P0, 0);
            consumer.addRecord(record(0, event("d1", "hot", "温度")));
            consumer.addRecord(record(1, event("d1", "refused", "t")));
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 2, "d1".getBytes(StandardCharsets.UTF_8),
                    "not an alert".getBytes(StandardCharsets.UTF_8)));
            consumer.addRecord(record(3, event("d2", "hot", "t")));
        });
        thread = new Thread(notifier, "webhook-under-test");
        thread.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> keysReceived.size() == 2);
        assertThat(keysReceived.get(0)).isEqualTo("d1/hot/%E6%B8%A9%E5%BA%A6/firing/1000");
        assertThat(keysReceived.get(1)).isEqualTo("d2/hot/t/firing/1000");
        await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters.size() == 2);
        assertThat(deadLetters).containsExactly(DeadLetterReason.WEBHOOK_REFUSED + "@1",
                DeadLetterReason.PAYLOAD_FORMAT_INVALID + "@2");
        assertThat(notifier.delivered()).isEqualTo(2);
        assertThat(notifier.skipped()).isEqualTo(2);
        assertThat(thread.isAlive()).isTrue();
    }

    @Test
    void shouldKeepAsciiKeysAsTheyWereAndEncodeEverythingElse() {
        assertThat(WebhookNotifier.headerSafe("pi-1/cpu_temp_high/cpu_temp/firing/17")).isEqualTo(
                "pi-1/cpu_temp_high/cpu_temp/firing/17");
        assertThat(WebhookNotifier.headerSafe("a b%\r\n°")).isEqualTo("a%20b%25%0D%0A%C2%B0");
    }

    private static AlertEvent event(String device, String rule, String sensor) {
        return AlertEvent.newBuilder().setDeviceId(device).setRule(rule).setSensor(sensor)
                .setState(AlertEvent.AlertState.FIRING).setSeverity(AlertEvent.Severity.WARNING).setValue(90)
                .setThreshold(80).setTransitionTimeUnixNanos(1_000).setMessage("m").build();
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, AlertEvent event) {
        return new ConsumerRecord<>(TOPIC, 0, offset, event.getDeviceId().getBytes(StandardCharsets.UTF_8),
                event.toByteArray());
    }
}
