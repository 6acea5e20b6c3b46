package io.tributary.processor.writer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * {@link DeadLetterPublisher} on a Kafka producer ({@code acks=all}, idempotent). Key and value stay exactly as
 * consumed; headers: {@code tributary.reason}, {@code tributary.reason-detail}, {@code tributary.contract-rule} (for a
 * {@code contract-violation}), {@code tributary.device},
 * {@code tributary.mqtt-topic} (copied when the source record carries it), and where it came from:
 * {@code tributary.source-topic}, {@code tributary.source-partition}, {@code tributary.source-offset}, and
 * {@code tributary.deadlettered-by} (e.g. {@code processor/readings}). The names and the detail's bound (1,024
 * characters, then {@code ...}) are the gateway's ({@code KafkaRecords.deadLetter}); a gateway dead letter has no
 * source headers (it never reached a topic) and no {@code deadlettered-by}. {@code ./tributary deadletter} reads both.
 */
public final class KafkaDeadLetterPublisher implements DeadLetterPublisher {

    public static final String HEADER_REASON = "tributary.reason";
    public static final String HEADER_REASON_DETAIL = "tributary.reason-detail";
    /** The input-contract rule a {@code contract-violation} breaks (the gateway's header). */
    public static final String HEADER_CONTRACT_RULE = "tributary.contract-rule";
    public static final String HEADER_DEVICE = "tributary.device";
    public static final String HEADER_MQTT_TOPIC = "tributary.mqtt-topic";
    public static final String HEADER_SOURCE_TOPIC = "tributary.source-topic";
    public static final String HEADER_SOURCE_PARTITION = "tributary.source-partition";
    public static final String HEADER_SOURCE_OFFSET = "tributary.source-offset";
    /** Which part dead-lettered the record: {@code processor/readings}, {@code processor/rollups}, ... */
    public static final String HEADER_DEADLETTERED_BY = "tributary.deadlettered-by";

    /** Kafka header values are bytes without a limit, but a detail is for people: the gateway's bound. */
    private static final int MAX_DETAIL_CHARS = 1_024;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Duration sendTimeout;
    private final Duration closeTimeout;
    private final String origin;

    /** @param origin the {@value #HEADER_DEADLETTERED_BY} header, e.g. {@code processor/readings} */
    public KafkaDeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, Duration sendTimeout,
            Duration closeTimeout, String origin) {
        this.origin = origin;
        this.producer = producer;
        this.topic = topic;
        this.sendTimeout = sendTimeout;
        this.closeTimeout = closeTimeout;
    }

    @Override
    public void publish(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason, String detail) {
        publish(record, deviceId, reason, detail, null);
    }

    @Override
    public void publish(ConsumerRecord<byte[], byte[]> record, String deviceId, String reason, String detail,
            String contractRule) {
        Headers headers = new RecordHeaders();
        headers.add(HEADER_REASON, utf8(reason));
        headers.add(HEADER_REASON_DETAIL, utf8(detail.length() > MAX_DETAIL_CHARS
                ? detail.substring(0, MAX_DETAIL_CHARS) + "..." : detail));
        if (contractRule != null) {
            headers.add(HEADER_CONTRACT_RULE, utf8(contractRule));
        }
        headers.add(HEADER_DEVICE, utf8(deviceId));
        Header mqttTopic = record.headers().lastHeader(HEADER_MQTT_TOPIC);
        if (mqttTopic != null) {
            headers.add(HEADER_MQTT_TOPIC, mqttTopic.value());
        }
        headers.add(HEADER_SOURCE_TOPIC, utf8(record.topic()));
        headers.add(HEADER_SOURCE_PARTITION, utf8(Integer.toString(record.partition())));
        headers.add(HEADER_SOURCE_OFFSET, utf8(Long.toString(record.offset())));
        headers.add(HEADER_DEADLETTERED_BY, utf8(origin));
        try {
            producer.send(new ProducerRecord<>(topic, null, record.key(), record.value(), headers))
                    .get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while sending to " + topic, e);
        } catch (ExecutionException e) {
            throw new KafkaException("dead-letter send to " + topic + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("dead-letter send to " + topic + " not acknowledged within " + sendTimeout, e);
        }
    }

    @Override
    public void close() {
        producer.close(closeTimeout);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
