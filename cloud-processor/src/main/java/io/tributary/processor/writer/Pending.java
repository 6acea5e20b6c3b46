package io.tributary.processor.writer;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** One record and its points, waiting to be written. */
record Pending(ConsumerRecord<byte[], byte[]> record, String deviceId, List<LinePoint> points) {
}
