package io.tributary.gateway.kafka;

import static io.tributary.testing.kafka.KafkaTestTopics.header;
import io.tributary.contract.KafkaHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.gateway.RejectReason;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class KafkaRecordsTest {

    @Test
    void telemetryKeepsThePayloadBytes() {
        byte[] payload = {1, 2, 3};

        ProducerRecord<String, byte[]> record = KafkaRecords.telemetry("t.telemetry", "dev-1", payload);

        assertThat(record.topic()).isEqualTo("t.telemetry");
        assertThat(record.key()).isEqualTo("dev-1");
        assertThat(record.value()).isSameAs(payload);
    }

    @Test
    void deadLetterCarriesTheReasonHeaders() {
        ProducerRecord<String, byte[]> record = KafkaRecords.deadLetter("t.deadletter", "dev-1",
                "devices/dev-1/telemetry", RejectReason.EMPTY_BATCH, "batch 3 holds no reading", new byte[] {9});

        assertThat(record.key()).isEqualTo("dev-1");
        assertThat(record.value()).containsExactly(9);
        assertThat(header(record, "tributary.reason")).isEqualTo("empty-batch");
        assertThat(header(record, "tributary.reason-detail")).isEqualTo("batch 3 holds no reading");
        assertThat(header(record, "tributary.device")).isEqualTo("dev-1");
        assertThat(header(record, "tributary.mqtt-topic")).isEqualTo("devices/dev-1/telemetry");
    }

    @Test
    void capsLongHeaderTexts() {
        ProducerRecord<String, byte[]> record = KafkaRecords.deadLetter("t", "d", "x", RejectReason.EMPTY_BATCH,
                "y".repeat(5000), new byte[0]);

        assertThat(header(record, "tributary.reason-detail")).hasSizeLessThan(1100);
    }

    // ---- issue 17: bounded dead letters ----

    @Test
    void deadLetterKeepsABoundedCopyAndTellsTheOriginalSize() {
        byte[] payload = new byte[5000];
        java.util.Arrays.fill(payload, (byte) 7);

        ProducerRecord<String, byte[]> cut = KafkaRecords.deadLetter("t", "d", "x", RejectReason.CONTRACT_VIOLATION,
                "reading 0 (sensor 't'): value NaN is not finite", io.tributary.contract.ContractRule.VALUE_NOT_FINITE,
                payload, 1024);
        ProducerRecord<String, byte[]> whole = KafkaRecords.deadLetter("t", "d", "x", RejectReason.EMPTY_BATCH,
                "empty", null, payload, 5000);
        ProducerRecord<String, byte[]> none = KafkaRecords.deadLetter("t", "d", "x", RejectReason.EMPTY_BATCH,
                "empty", null, payload, 0);

        assertThat(cut.value()).hasSize(1024).containsOnly(7);
        assertThat(header(cut, KafkaHeaders.PAYLOAD_BYTES)).isEqualTo("5000");
        assertThat(header(cut, KafkaHeaders.PAYLOAD_TRUNCATED)).isEqualTo("true");
        assertThat(header(cut, KafkaHeaders.CONTRACT_RULE)).isEqualTo("value_not_finite");
        assertThat(header(cut, KafkaHeaders.REASON)).isEqualTo("contract-violation");
        assertThat(whole.value()).isSameAs(payload);
        assertThat(header(whole, KafkaHeaders.PAYLOAD_TRUNCATED)).isEqualTo("false");
        assertThat(whole.headers().lastHeader(KafkaHeaders.CONTRACT_RULE)).isNull();
        assertThat(none.value()).isEmpty();
        // the old signature is bounded too, at the default 64 KiB
        assertThat(KafkaRecords.deadLetter("t", "d", "x", RejectReason.PAYLOAD_TOO_LARGE, "big", new byte[100_000])
                .value()).hasSize(64 * 1024);
    }
}
