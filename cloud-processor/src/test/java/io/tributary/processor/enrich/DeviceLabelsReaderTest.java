package io.tributary.processor.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.tributary.contract.metadata.DeviceLabels;

class DeviceLabelsReaderTest {

    static final String TOPIC = "t.device-metadata";
    static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
    final DeviceLabelsReader reader = new DeviceLabelsReader(consumer, TOPIC, Duration.ofMillis(10));
    Thread thread;

    @AfterEach
    void stop() throws InterruptedException {
        reader.shutdown();
        if (thread != null) {
            thread.join(5_000);
        }
    }

    @Test
    void shouldLoadTheTopicThenFollowItsChangesAndSkipInvalidRecords() throws Exception {
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.updateEndOffsets(Map.of(P0, 3L));
        consumer.schedulePollTask(() -> {
            add(0, "m1", labels("m1", Map.of("site", "plant-3")));
            add(1, "m2", labels("m2", Map.of("kind", "pump")));
            add(2, "m1", "{\"device\":\"m1\",\"labels\":{\"site\":\"bad value\"}}".getBytes(StandardCharsets.UTF_8));
        });
        thread = new Thread(reader);
        thread.start();

        assertThat(reader.awaitLoaded(Duration.ofSeconds(5))).isTrue();
        assertThat(reader.labelsOf("m1")).as("an invalid record leaves the labels the device had")
                .isEqualTo(Map.of("site", "plant-3"));
        assertThat(reader.labelsOf("m2")).isEqualTo(Map.of("kind", "pump"));
        assertThat(reader.labelsOf("bare")).isEmpty();
        assertThat(reader.invalidRecords()).isEqualTo(1);

        consumer.schedulePollTask(() -> {
            add(3, "m1", labels("m1", Map.of("site", "plant-4")));
            add(4, "m2", null);
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!reader.labelsOf("m1").equals(Map.of("site", "plant-4")) || !reader.labelsOf("m2").isEmpty()) {
            assertThat(System.nanoTime()).as("label change and tombstone applied").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void shouldCountAsLoadedWhileTheTopicDoesNotExist() throws Exception {
        thread = new Thread(reader);
        thread.start();

        assertThat(reader.awaitLoaded(Duration.ofSeconds(5))).isTrue();
        assertThat(reader.labelsOf("m1")).isEmpty();
    }

    void add(long offset, String device, byte[] value) {
        consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, device.getBytes(StandardCharsets.UTF_8), value));
    }

    static byte[] labels(String device, Map<String, String> labels) {
        return new DeviceLabels(device, labels, Instant.EPOCH).toJson();
    }
}
