package io.tributary.processor.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.protobuf.InvalidProtocolBufferException;

import io.tributary.common.Backoff;
import io.tributary.common.Json;
import io.tributary.processor.writer.DeadLetterPublisher;
import io.tributary.processor.writer.DeadLetterReason;
import io.tributary.processor.writer.WritePath;
import io.tributary.proto.v1.AlertEvent;

/**
 * Sends every alert transition from the alerts topic to a webhook: an HTTP POST of JSON with the header
 * {@code Idempotency-Key} (device/rule/sensor/state/transition time: the same transition always carries the same key,
 * so a receiver can drop the duplicates that at-least-once delivery may bring after a crash). 5xx, 408, 429, I/O
 * errors and timeouts are retried with exponential backoff, forever; any other 4xx is logged and skipped (the
 * receiver refuses it, retrying cannot help). Offsets are committed after each poll's transitions were delivered.
 */
public final class WebhookNotifier implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);

    /** {@code requestTimeout}: of one POST. */
    public record Settings(Duration pollTimeout, Duration backoffInitial, Duration backoffMax, Duration requestTimeout,
            Duration consumerCloseTimeout) {
    }

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final URI url;
    private final Settings settings;
    private final HttpClient http;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failedAttempts = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final DeadLetterPublisher deadLetters;
    private volatile boolean closing;

    /** {@code deadLetters}: where a transition the webhook refuses for good (or cannot send at all) goes. */
    public WebhookNotifier(Consumer<byte[], byte[]> consumer, String topic, String url, Settings settings,
            DeadLetterPublisher deadLetters) {
        this.deadLetters = deadLetters;
        this.consumer = consumer;
        this.topic = topic;
        this.url = URI.create(url);
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
    }

    public void shutdown() {
        closing = true;
        consumer.wakeup();
    }

    public long delivered() {
        return delivered.sum();
    }

    /** POST attempts that failed (and were retried or skipped). */
    public long failedAttempts() {
        return failedAttempts.sum();
    }

    /** Transitions given up on (refused for good, not an AlertEvent, or the request could not be built). */
    public long skipped() {
        return skipped.sum();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic));
            log.info("Alert webhook notifier started [topic: {}, url: {}]", topic, url);
            while (!closing) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(settings.pollTimeout());
                } catch (WakeupException e) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (!deliver(record)) {
                        break; // closing
                    }
                    done.put(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                }
                commit(done);
            }
        } finally {
            try {
                consumer.close(CloseOptions.timeout(settings.consumerCloseTimeout()));
            } catch (RuntimeException e) {
                log.warn("Closing the webhook consumer failed", e);
            }
            try {
                deadLetters.close();
            } catch (RuntimeException e) {
                log.warn("Closing the webhook dead-letter producer failed", e);
            }
        }
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> done) {
        if (done.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(done);
        } catch (WakeupException e) {
            consumer.commitSync(done);
        } catch (KafkaException e) {
            log.warn("Webhook offsets not committed; these transitions may be POSTed again (same Idempotency-Key)",
                    e);
        }
    }

    private void giveUp(ConsumerRecord<byte[], byte[]> record, String reason, String detail) {
        skipped.increment();
        log.error("Alert webhook: skipping a transition [partition: {}, offset: {}, reason: {}]: {}",
                record.partition(), record.offset(), reason, detail.replaceAll("\\p{Cntrl}", "?"));
        String device = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        try {
            deadLetters.publish(record, device, reason, detail);
        } catch (RuntimeException e) {
            // The alert is stored in InfluxDB by the alerts writer either way; the webhook never blocks on this.
            log.warn("Alert webhook: dead-letter send failed [partition: {}, offset: {}]: {}", record.partition(),
                    record.offset(), e.toString());
        }
    }

    /**
     * Delivers one transition; whatever goes wrong with this one alert (a value that cannot be put into a request, a
     * client that throws) skips it with a count and a dead letter, and the notifier goes on. Returns false only when
     * closing.
     */
    private boolean deliver(ConsumerRecord<byte[], byte[]> record) {
        try {
            return post(record);
        } catch (RuntimeException e) {
            giveUp(record, DeadLetterReason.WEBHOOK_REFUSED, "cannot send: " + e);
            return true;
        }
    }

    private boolean post(ConsumerRecord<byte[], byte[]> record) {
        AlertEvent event;
        try {
            event = AlertEvent.parseFrom(record.value() == null ? new byte[0] : record.value());
        } catch (InvalidProtocolBufferException e) {
            giveUp(record, DeadLetterReason.PAYLOAD_FORMAT_INVALID, "not a tributary.v1.AlertEvent: "
                    + e.getMessage());
            return true;
        }
        String key = idempotencyKey(event);
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(toJson(event, key)))
                .build();
        Backoff backoff = new Backoff(settings.backoffInitial(), settings.backoffMax());
        int attempt = 0;
        while (!closing) {
            attempt++;
            int status;
            try {
                status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                status = -1;
                if (attempt == 1) {
                    log.warn("Alert webhook unreachable, retrying with backoff [key: {}]: {}", key, e.toString());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (status >= 200 && status < 300) {
                delivered.increment();
                if (attempt > 1) {
                    log.info("Alert webhook delivered after {} attempts [key: {}]", attempt, key);
                }
                return true;
            }
            failedAttempts.increment();
            boolean retryable = status == -1 || status >= 500 || status == 408 || status == 429;
            if (!retryable) {
                giveUp(record, DeadLetterReason.WEBHOOK_REFUSED, "HTTP " + status + " [key: " + key + "]");
                return true;
            }
            if (attempt == 1 && status != -1) {
                log.warn("Alert webhook answered HTTP {}, retrying with backoff [key: {}]", status, key);
            }
            // Wait polling with every partition paused, so the consumer stays in its group.
            if (!WritePath.waitPolling(consumer, backoff.next(), settings.pollTimeout(), () -> closing)) {
                return false;
            }
            consumer.resume(consumer.paused());
        }
        return false;
    }

    /**
     * {@code device/rule/sensor/state/time}, safe as an HTTP header value whatever the device sent: every byte of the
     * UTF-8 form outside printable ASCII, and {@code %} itself, is percent-encoded ({@code °} becomes {@code %C2%B0}).
     * A key of ASCII names, which is every key the input contract lets through, is unchanged. (The JDK's HTTP client
     * refused a header with characters above 0xFF and the exception stopped the notifier.)
     */
    public static String idempotencyKey(AlertEvent e) {
        return headerSafe(e.getDeviceId() + "/" + e.getRule() + "/" + e.getSensor() + "/"
                + e.getState().name().toLowerCase(Locale.ROOT) + "/" + e.getTransitionTimeUnixNanos());
    }

    /** Printable ASCII stays, except {@code %}; everything else is percent-encoded UTF-8. */
    static String headerSafe(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** The JSON body: one flat object. */
    public static String toJson(AlertEvent e, String key) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("idempotency_key", key);
        body.put("device", e.getDeviceId());
        body.put("rule", e.getRule());
        body.put("sensor", e.getSensor());
        body.put("severity", e.getSeverity().name().toLowerCase(Locale.ROOT));
        body.put("state", e.getState().name().toLowerCase(Locale.ROOT));
        body.put("value", e.getValue());
        body.put("threshold", e.getThreshold());
        body.put("message", e.getMessage());
        body.put("time_unix_nanos", e.getTransitionTimeUnixNanos());
        body.put("time", Instant.ofEpochSecond(0, e.getTransitionTimeUnixNanos()).toString());
        body.put("labels", new java.util.TreeMap<>(e.getLabelsMap()));
        return Json.write(body);
    }
}
